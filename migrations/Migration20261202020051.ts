import { Migration } from '@mikro-orm/migrations';

export class Migration20261202020051 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "webhook_event_unqueued" ("seq" bigserial primary key, "webhook_event_id" uuid not null);`);
    // Events stored but not yet given their job keep their place, in arrival order (issue 11: the
    // flag on the event row becomes a row in this narrow table).
    this.addSql(`insert into "webhook_event_unqueued" ("webhook_event_id") select "id" from "webhook_event" where not "job_queued" order by "received_at";`);

    this.addSql(`drop index "webhook_event_unqueued_idx";`);
    this.addSql(`alter table "webhook_event" drop column "job_queued";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_event" add column "job_queued" bool not null default true;`);
    this.addSql(`CREATE INDEX webhook_event_unqueued_idx ON public.webhook_event USING btree (received_at) WHERE (NOT job_queued);`);
    this.addSql(`update "webhook_event" set "job_queued" = false where "id" in (select "webhook_event_id" from "webhook_event_unqueued");`);

    this.addSql(`drop table if exists "webhook_event_unqueued" cascade;`);
  }

}
