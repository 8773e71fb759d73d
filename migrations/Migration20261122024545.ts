import { Migration } from '@mikro-orm/migrations';

export class Migration20261122024545 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "refund" ("id" uuid not null, "payment_id" uuid not null, "amount" bigint not null, "currency" varchar(3) not null, "status" text check ("status" in ('PENDING', 'PROCESSED', 'FAILED')) not null default 'PENDING', "destination" text check ("destination" in ('SOURCE', 'WALLET')) not null, "speed" text check ("speed" in ('NORMAL', 'OPTIMUM')) null, "reason" varchar(255) null, "razorpay_refund_id" varchar(40) null, "requested_by" varchar(64) not null, "idempotency_key" varchar(100) null, "transaction_id" uuid not null, "failure_reason" text null, "last_gateway_error" text null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "processed_at" timestamptz(3) null, constraint "refund_pkey" primary key ("id"));`);
    this.addSql(`alter table "refund" add constraint "refund_razorpay_refund_id_unique" unique ("razorpay_refund_id");`);
    this.addSql(`alter table "refund" add constraint "refund_transaction_unique" unique ("transaction_id");`);
    this.addSql(`create index "refund_status_created_idx" on "refund" ("status", "created_at");`);
    this.addSql(`create index "refund_payment_idx" on "refund" ("payment_id", "created_at");`);
    this.addSql(`alter table "refund" add constraint "refund_requested_by_idempotency_key_unique" unique ("requested_by", "idempotency_key");`);

    this.addSql(`alter table "refund" add constraint "refund_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "refund" add constraint "refund_transaction_id_foreign" foreign key ("transaction_id") references "transaction" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "journal" drop constraint if exists "journal_kind_check";`);

    this.addSql(`alter table "journal" add column "refund_id" uuid null;`);
    this.addSql(`alter table "journal" add constraint "journal_refund_id_foreign" foreign key ("refund_id") references "refund" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal" add constraint "journal_kind_check" check("kind" in ('PAYMENT_CAPTURE', 'REFUND', 'REFUND_HOLD', 'REFUND_RELEASE', 'ADJUSTMENT'));`);
    this.addSql(`create unique index "journal_one_per_refund_and_kind" on "journal" ("refund_id", "kind") where "refund_id" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "journal" drop constraint "journal_refund_id_foreign";`);

    this.addSql(`drop table if exists "refund" cascade;`);

    this.addSql(`alter table "journal" drop constraint if exists "journal_kind_check";`);

    this.addSql(`drop index "journal_one_per_refund_and_kind";`);
    this.addSql(`alter table "journal" drop column "refund_id";`);

    this.addSql(`alter table "journal" add constraint "journal_kind_check" check("kind" in ('PAYMENT_CAPTURE', 'REFUND', 'ADJUSTMENT'));`);
  }

}
