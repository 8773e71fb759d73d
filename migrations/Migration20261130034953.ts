import { Migration } from '@mikro-orm/migrations';

export class Migration20261130034953 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "payee_account" ("id" uuid not null, "payee_id" varchar(64) not null, "status" text check ("status" in ('REGISTERING', 'REQUESTED', 'NEEDS_CLARIFICATION', 'UNDER_REVIEW', 'ACTIVATED', 'SUSPENDED')) not null default 'REGISTERING', "email" varchar(254) not null, "phone" varchar(20) not null, "legal_name" varchar(200) not null, "beneficiary_name" varchar(120) not null, "bank_account_masked" varchar(24) not null, "ifsc" varchar(11) not null, "pan_masked" varchar(10) not null, "razorpay_account_id" varchar(40) null, "razorpay_stakeholder_id" varchar(40) null, "razorpay_product_id" varchar(48) null, "settlements_submitted_at" timestamptz null, "requirements" jsonb null, "status_observed_at" timestamptz null, "activated_at" timestamptz null, "last_error" text null, "claimed_until" timestamptz null, "registered_by" varchar(64) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "payee_account_pkey" primary key ("id"));`);
    this.addSql(`alter table "payee_account" add constraint "payee_account_payee_id_unique" unique ("payee_id");`);
    this.addSql(`alter table "payee_account" add constraint "payee_account_razorpay_account_unique" unique ("razorpay_account_id");`);
    this.addSql(`alter table "payee_account" add constraint "payee_account_razorpay_product_unique" unique ("razorpay_product_id");`);
    this.addSql(`create index "payee_account_status_idx" on "payee_account" ("status", "updated_at");`);
    this.addSql(`create index "payee_account_created_idx" on "payee_account" ("created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payee_account" cascade;`);
  }

}
