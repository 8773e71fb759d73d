import { Migration } from '@mikro-orm/migrations';

export class Migration20261122030010 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "outbox_message" ("id" uuid not null, "type" varchar(64) not null, "subject_id" varchar(64) not null, "payload" jsonb not null, "created_at" timestamptz(3) not null, constraint "outbox_message_pkey" primary key ("id"));`);
    this.addSql(`create index "outbox_message_created_idx" on "outbox_message" ("created_at");`);

    this.addSql(`create table "outbox_delivery" ("id" uuid not null, "message_id" uuid not null, "subscriber_url" varchar(500) not null, "status" text check ("status" in ('PENDING', 'DELIVERED', 'DEAD')) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz(3) not null, "locked_until" timestamptz(3) null, "last_status_code" int null, "last_error" text null, "delivered_at" timestamptz(3) null, "created_at" timestamptz(3) not null, constraint "outbox_delivery_pkey" primary key ("id"));`);
    this.addSql(`create index "outbox_delivery_due_idx" on "outbox_delivery" ("status", "next_attempt_at");`);
    this.addSql(`alter table "outbox_delivery" add constraint "outbox_delivery_message_subscriber_unique" unique ("message_id", "subscriber_url");`);

    this.addSql(`create table "outbox_attempt" ("id" uuid not null, "delivery_id" uuid not null, "attempted_at" timestamptz(3) not null, "status_code" int null, "error" text null, "duration_ms" int not null, constraint "outbox_attempt_pkey" primary key ("id"));`);
    this.addSql(`create index "outbox_attempt_delivery_idx" on "outbox_attempt" ("delivery_id", "attempted_at");`);

    this.addSql(`alter table "outbox_delivery" add constraint "outbox_delivery_message_id_foreign" foreign key ("message_id") references "outbox_message" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "outbox_attempt" add constraint "outbox_attempt_delivery_id_foreign" foreign key ("delivery_id") references "outbox_delivery" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "outbox_delivery" drop constraint "outbox_delivery_message_id_foreign";`);

    this.addSql(`alter table "outbox_attempt" drop constraint "outbox_attempt_delivery_id_foreign";`);

    this.addSql(`drop table if exists "outbox_message" cascade;`);

    this.addSql(`drop table if exists "outbox_delivery" cascade;`);

    this.addSql(`drop table if exists "outbox_attempt" cascade;`);
  }

}
