import { Migration } from '@mikro-orm/migrations';

export class Migration20261122020639 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "payment" ("id" uuid not null, "status" text check ("status" in ('CREATED', 'AUTHORIZED', 'CAPTURED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED')) not null default 'CREATED', "purpose" text check ("purpose" in ('ORDER', 'CART', 'WALLET_TOPUP')) not null, "amount" bigint not null, "currency" varchar(3) not null, "fee_bps" int not null, "platform_fee" bigint not null, "payee_amount" bigint not null, "amount_refunded" bigint not null default 0, "payer_id" varchar(64) not null, "payee_id" varchar(64) null, "reference" varchar(100) null, "description" varchar(255) null, "notes" jsonb null, "razorpay_order_id" varchar(40) null, "razorpay_payment_id" varchar(40) null, "method" jsonb null, "failure_reason" text null, "idempotency_key" varchar(100) null, "version" int not null default 1, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "paid_at" timestamptz(3) null, constraint "payment_pkey" primary key ("id"));`);
    this.addSql(`alter table "payment" add constraint "payment_razorpay_order_id_unique" unique ("razorpay_order_id");`);
    this.addSql(`alter table "payment" add constraint "payment_razorpay_payment_id_unique" unique ("razorpay_payment_id");`);
    this.addSql(`create index "payment_status_updated_idx" on "payment" ("status", "updated_at");`);
    this.addSql(`create index "payment_created_idx" on "payment" ("created_at", "id");`);
    this.addSql(`create index "payment_payee_created_idx" on "payment" ("payee_id", "created_at", "id");`);
    this.addSql(`create index "payment_payer_created_idx" on "payment" ("payer_id", "created_at", "id");`);
    this.addSql(`alter table "payment" add constraint "payment_payer_idempotency_key_unique" unique ("payer_id", "idempotency_key");`);

    this.addSql(`create table "payment_event" ("id" bigserial primary key, "payment_id" uuid not null, "type" text check ("type" in ('CREATED', 'STATUS_CHANGED', 'TRANSITION_IGNORED', 'ANOMALY')) not null, "from_status" text check ("from_status" in ('CREATED', 'AUTHORIZED', 'CAPTURED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED')) null, "to_status" text check ("to_status" in ('CREATED', 'AUTHORIZED', 'CAPTURED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED')) null, "source" varchar(120) not null, "actor_id" varchar(64) null, "gateway_payment_id" varchar(40) null, "detail" jsonb null, "created_at" timestamptz(3) not null);`);
    this.addSql(`create index "payment_event_payment_idx" on "payment_event" ("payment_id", "id");`);

    this.addSql(`create table "transaction" ("id" uuid not null, "type" text check ("type" in ('CHARGE', 'REFUND', 'WALLET_CREDIT', 'WALLET_DEBIT', 'PAYOUT')) not null, "status" text check ("status" in ('PENDING', 'COMPLETED', 'FAILED')) not null, "amount" bigint not null, "currency" varchar(3) not null, "user_id" varchar(64) not null, "payment_id" uuid null, "created_at" timestamptz(3) not null, "completed_at" timestamptz(3) null, constraint "transaction_pkey" primary key ("id"));`);
    this.addSql(`create unique index "transaction_one_charge_per_payment" on "transaction" ("payment_id") where "type" = 'CHARGE';`);
    this.addSql(`create index "transaction_payment_idx" on "transaction" ("payment_id");`);
    this.addSql(`create index "transaction_user_created_idx" on "transaction" ("user_id", "created_at", "id");`);

    this.addSql(`create table "webhook_event" ("id" uuid not null, "event_id" varchar(100) not null, "event_type" varchar(64) not null, "payload" jsonb not null, "status" text check ("status" in ('PENDING', 'PROCESSED', 'IGNORED', 'FAILED', 'DEAD')) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz(3) not null, "locked_until" timestamptz(3) null, "last_error" text null, "received_at" timestamptz(3) not null, "processed_at" timestamptz(3) null, constraint "webhook_event_pkey" primary key ("id"));`);
    this.addSql(`alter table "webhook_event" add constraint "webhook_event_event_id_unique" unique ("event_id");`);
    this.addSql(`create index "webhook_event_due_idx" on "webhook_event" ("status", "next_attempt_at");`);

    this.addSql(`alter table "payment_event" add constraint "payment_event_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "transaction" add constraint "transaction_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "payment_event" drop constraint "payment_event_payment_id_foreign";`);

    this.addSql(`alter table "transaction" drop constraint "transaction_payment_id_foreign";`);

    this.addSql(`drop table if exists "payment" cascade;`);

    this.addSql(`drop table if exists "payment_event" cascade;`);

    this.addSql(`drop table if exists "transaction" cascade;`);

    this.addSql(`drop table if exists "webhook_event" cascade;`);
  }

}
