import { Migration } from '@mikro-orm/migrations';

export class Migration20261130004241 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_event" drop constraint if exists "webhook_event_status_check";`);

    this.addSql(`alter table "webhook_event" add column "raw_body" text null;`);
    this.addSql(`alter table "webhook_event" add constraint "webhook_event_status_check" check("status" in ('PENDING', 'PROCESSED', 'IGNORED', 'FAILED', 'DEAD', 'QUARANTINED'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_event" drop constraint if exists "webhook_event_status_check";`);

    this.addSql(`alter table "webhook_event" drop column "raw_body";`);

    this.addSql(`alter table "webhook_event" add constraint "webhook_event_status_check" check("status" in ('PENDING', 'PROCESSED', 'IGNORED', 'FAILED', 'DEAD'));`);
  }

}
