import { Migration } from '@mikro-orm/migrations';

export class Migration20261130091254 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_event" add column "job_queued" boolean not null default true;`);
    this.addSql(`create index "webhook_event_unqueued_idx" on "webhook_event" ("received_at") where not "job_queued";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "webhook_event_unqueued_idx";`);
    this.addSql(`alter table "webhook_event" drop column "job_queued";`);
  }

}
