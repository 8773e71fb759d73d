import { Migration } from '@mikro-orm/migrations';

export class Migration20261122021905 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "saved_payment_method" ("id" uuid not null, "user_id" varchar(64) not null, "type" text check ("type" in ('CARD', 'UPI', 'NETBANKING', 'WALLET')) not null, "nickname" varchar(40) null, "provider" varchar(100) not null, "card_network" varchar(16) null, "card_last4" varchar(4) null, "expiry_month" smallint null, "expiry_year" smallint null, "vpa" varchar(321) null, "bank_name" varchar(100) null, "wallet_provider" varchar(20) null, "masked_wallet_number" varchar(10) null, "is_default" boolean not null default false, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "deleted_at" timestamptz(3) null, constraint "saved_payment_method_pkey" primary key ("id"));`);
    this.addSql(`create unique index "saved_payment_method_one_default_per_user" on "saved_payment_method" ("user_id") where "is_default" and "deleted_at" is null;`);
    this.addSql(`create index "saved_payment_method_user_created_idx" on "saved_payment_method" ("user_id", "created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "saved_payment_method" cascade;`);
  }

}
