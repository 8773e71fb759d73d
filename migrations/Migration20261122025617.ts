import { Migration } from '@mikro-orm/migrations';

export class Migration20261122025617 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "cart" ("id" uuid not null, "user_id" varchar(64) not null, "status" text check ("status" in ('ACTIVE', 'CHECKED_OUT', 'CONVERTED', 'BOOKING_FAILED')) not null default 'ACTIVE', "currency" varchar(3) null, "checkout_id" uuid null, "payment_id" uuid null, "failure_reason" text null, "checked_out_at" timestamptz(3) null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "cart_pkey" primary key ("id"), constraint cart_checkout_iff_not_active check (("status" = 'ACTIVE') = ("checkout_id" is null)));`);
    this.addSql(`create unique index "cart_one_open_per_user" on "cart" ("user_id") where "status" in ('ACTIVE', 'CHECKED_OUT');`);
    this.addSql(`create index "cart_user_created_idx" on "cart" ("user_id", "created_at", "id");`);

    this.addSql(`create table "cart_checkout" ("id" uuid not null, "cart_id" uuid not null, "user_id" varchar(64) not null, "method" text check ("method" in ('GATEWAY', 'WALLET')) not null, "status" text check ("status" in ('PENDING', 'PAID', 'RELEASED', 'BOOKING_FAILED')) not null default 'PENDING', "idempotency_key" varchar(100) null, "total" bigint not null, "currency" varchar(3) not null, "lines" jsonb not null, "payment_id" uuid null, "failure_reason" text null, "refund_state" text check ("refund_state" in ('PENDING', 'IN_PROGRESS', 'REQUESTED', 'REFUSED')) null, "refund_attempts" int not null default 0, "refund_next_attempt_at" timestamptz(3) null, "refund_error" text null, "created_at" timestamptz(3) not null, "closed_at" timestamptz(3) null, constraint "cart_checkout_pkey" primary key ("id"), constraint cart_checkout_total_positive check (total > 0));`);
    this.addSql(`create index "cart_checkout_refund_due_idx" on "cart_checkout" ("refund_state", "refund_next_attempt_at");`);
    this.addSql(`create index "cart_checkout_status_created_idx" on "cart_checkout" ("status", "created_at");`);
    this.addSql(`create index "cart_checkout_cart_idx" on "cart_checkout" ("cart_id");`);
    this.addSql(`alter table "cart_checkout" add constraint "cart_checkout_user_idempotency_key_unique" unique ("user_id", "idempotency_key");`);
    this.addSql(`alter table "cart_checkout" add constraint "cart_checkout_payment_unique" unique ("payment_id");`);

    this.addSql(`create table "booking" ("id" uuid not null, "reference" varchar(16) not null, "user_id" varchar(64) not null, "status" text check ("status" in ('CONFIRMED', 'CANCELLED')) not null default 'CONFIRMED', "payment_id" uuid not null, "cart_id" uuid not null, "total_amount" bigint not null, "currency" varchar(3) not null, "created_at" timestamptz(3) not null, "cancelled_at" timestamptz(3) null, constraint "booking_pkey" primary key ("id"), constraint booking_total_positive check (total_amount > 0));`);
    this.addSql(`alter table "booking" add constraint "booking_reference_unique" unique ("reference");`);
    this.addSql(`create index "booking_cart_idx" on "booking" ("cart_id");`);
    this.addSql(`create index "booking_user_created_idx" on "booking" ("user_id", "created_at", "id");`);
    this.addSql(`alter table "booking" add constraint "booking_payment_unique" unique ("payment_id");`);

    this.addSql(`create table "product" ("id" uuid not null, "kind" text check ("kind" in ('PRODUCT', 'SERVICE')) not null default 'PRODUCT', "name" varchar(120) not null, "description" varchar(500) null, "price" bigint not null, "currency" varchar(3) not null, "active" boolean not null default true, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "product_pkey" primary key ("id"), constraint product_price_positive check (price > 0));`);
    this.addSql(`create index "product_created_idx" on "product" ("created_at", "id");`);
    this.addSql(`create index "product_active_created_idx" on "product" ("active", "created_at", "id");`);

    this.addSql(`create table "cart_line" ("id" uuid not null, "cart_id" uuid not null, "product_id" uuid not null, "quantity" int not null, "unit_price" bigint null, "line_total" bigint null, "created_at" timestamptz(3) not null, constraint "cart_line_pkey" primary key ("id"), constraint cart_line_quantity_range check (quantity >= 1 and quantity <= 99));`);
    this.addSql(`alter table "cart_line" add constraint "cart_line_cart_product_unique" unique ("cart_id", "product_id");`);

    this.addSql(`create table "booking_item" ("id" uuid not null, "booking_id" uuid not null, "position" smallint not null, "product_id" uuid not null, "name" varchar(120) not null, "quantity" int not null, "unit_price" bigint not null, "line_total" bigint not null, constraint "booking_item_pkey" primary key ("id"), constraint booking_item_amounts check (quantity >= 1 and quantity <= 99 and unit_price > 0 and line_total = quantity * unit_price));`);
    this.addSql(`alter table "booking_item" add constraint "booking_item_booking_position_unique" unique ("booking_id", "position");`);

    this.addSql(`alter table "cart" add constraint "cart_checkout_id_foreign" foreign key ("checkout_id") references "cart_checkout" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "cart" add constraint "cart_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "cart_checkout" add constraint "cart_checkout_cart_id_foreign" foreign key ("cart_id") references "cart" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "cart_checkout" add constraint "cart_checkout_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "booking" add constraint "booking_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "booking" add constraint "booking_cart_id_foreign" foreign key ("cart_id") references "cart" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "cart_line" add constraint "cart_line_cart_id_foreign" foreign key ("cart_id") references "cart" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "cart_line" add constraint "cart_line_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "booking_item" add constraint "booking_item_booking_id_foreign" foreign key ("booking_id") references "booking" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "booking_item" add constraint "booking_item_product_id_foreign" foreign key ("product_id") references "product" ("id") on update cascade on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "cart_checkout" drop constraint "cart_checkout_cart_id_foreign";`);

    this.addSql(`alter table "booking" drop constraint "booking_cart_id_foreign";`);

    this.addSql(`alter table "cart_line" drop constraint "cart_line_cart_id_foreign";`);

    this.addSql(`alter table "cart" drop constraint "cart_checkout_id_foreign";`);

    this.addSql(`alter table "booking_item" drop constraint "booking_item_booking_id_foreign";`);

    this.addSql(`alter table "cart_line" drop constraint "cart_line_product_id_foreign";`);

    this.addSql(`alter table "booking_item" drop constraint "booking_item_product_id_foreign";`);

    this.addSql(`drop table if exists "cart" cascade;`);

    this.addSql(`drop table if exists "cart_checkout" cascade;`);

    this.addSql(`drop table if exists "booking" cascade;`);

    this.addSql(`drop table if exists "product" cascade;`);

    this.addSql(`drop table if exists "cart_line" cascade;`);

    this.addSql(`drop table if exists "booking_item" cascade;`);
  }

}
