import { Migration } from '@mikro-orm/migrations';

export class Migration20261130060552 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "payout" ("id" uuid not null, "payment_id" uuid not null, "payee_id" varchar(64) not null, "status" text check ("status" in ('ACCRUED', 'PENDING', 'ON_HOLD', 'PROCESSED', 'FAILED', 'PARTIALLY_REVERSED', 'REVERSED')) not null default 'ACCRUED', "amount" bigint not null, "amount_reversed" bigint not null default 0, "amount_receivable" bigint not null default 0, "currency" varchar(3) not null, "razorpay_transfer_id" varchar(40) null, "razorpay_account_id" varchar(40) null, "hold" text check ("hold" in ('NONE', 'DELAY', 'RELEASED')) not null default 'NONE', "on_hold" boolean not null default false, "on_hold_until" timestamptz null, "released_at" timestamptz null, "released_by" varchar(64) null, "attempts" int not null default 0, "transfer_requested_at" timestamptz null, "last_error" text null, "processed_at" timestamptz null, "failed_at" timestamptz null, "recipient_settlement_id" varchar(40) null, "settled_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "payout_pkey" primary key ("id"));`);
    this.addSql(`alter table "payout" add constraint "payout_payment_unique" unique ("payment_id");`);
    this.addSql(`alter table "payout" add constraint "payout_razorpay_transfer_unique" unique ("razorpay_transfer_id");`);
    this.addSql(`create index "payout_status_updated_idx" on "payout" ("status", "updated_at");`);
    this.addSql(`create index "payout_payee_created_idx" on "payout" ("payee_id", "created_at", "id");`);
    this.addSql(`create index "payout_created_idx" on "payout" ("created_at", "id");`);

    this.addSql(`create table "payout_reversal" ("id" uuid not null, "payout_id" uuid not null, "refund_id" uuid not null, "amount" bigint not null, "status" text check ("status" in ('PENDING', 'PROCESSED', 'REFUSED', 'CANCELLED')) not null default 'PENDING', "razorpay_reversal_id" varchar(40) null, "attempts" int not null default 0, "last_error" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "payout_reversal_pkey" primary key ("id"));`);
    this.addSql(`alter table "payout_reversal" add constraint "payout_reversal_refund_unique" unique ("refund_id");`);
    this.addSql(`alter table "payout_reversal" add constraint "payout_reversal_razorpay_unique" unique ("razorpay_reversal_id");`);
    this.addSql(`create index "payout_reversal_status_idx" on "payout_reversal" ("status", "updated_at");`);
    this.addSql(`create index "payout_reversal_payout_idx" on "payout_reversal" ("payout_id");`);

    this.addSql(`alter table "payout" add constraint "payout_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "payout_reversal" add constraint "payout_reversal_payout_id_foreign" foreign key ("payout_id") references "payout" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "journal" drop constraint if exists "journal_kind_check";`);

    this.addSql(`alter table "journal" add column "payout_id" uuid null, add column "payout_reversal_id" uuid null;`);
    this.addSql(`alter table "journal" add constraint "journal_payout_id_foreign" foreign key ("payout_id") references "payout" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal" add constraint "journal_payout_reversal_id_foreign" foreign key ("payout_reversal_id") references "payout_reversal" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal" add constraint "journal_kind_check" check("kind" in ('PAYMENT_CAPTURE', 'REFUND', 'REFUND_HOLD', 'REFUND_RELEASE', 'ADJUSTMENT', 'PAYOUT_TRANSFER', 'PAYOUT_PROCESSED', 'PAYOUT_FAILED', 'PAYOUT_REVERSAL', 'PAYOUT_RECEIVABLE'));`);
    this.addSql(`create unique index "journal_one_per_payout_reversal" on "journal" ("payout_reversal_id") where "payout_reversal_id" is not null;`);
    this.addSql(`create unique index "journal_one_per_payout_and_kind" on "journal" ("payout_id", "kind") where "payout_id" is not null and "payout_reversal_id" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "payout_reversal" drop constraint "payout_reversal_payout_id_foreign";`);

    this.addSql(`alter table "journal" drop constraint "journal_payout_id_foreign";`);

    this.addSql(`alter table "journal" drop constraint "journal_payout_reversal_id_foreign";`);

    this.addSql(`drop table if exists "payout" cascade;`);

    this.addSql(`drop table if exists "payout_reversal" cascade;`);

    this.addSql(`alter table "journal" drop constraint if exists "journal_kind_check";`);

    this.addSql(`drop index "journal_one_per_payout_reversal";`);
    this.addSql(`drop index "journal_one_per_payout_and_kind";`);
    this.addSql(`alter table "journal" drop column "payout_id", drop column "payout_reversal_id";`);

    this.addSql(`alter table "journal" add constraint "journal_kind_check" check("kind" in ('PAYMENT_CAPTURE', 'REFUND', 'REFUND_HOLD', 'REFUND_RELEASE', 'ADJUSTMENT'));`);
  }

}
