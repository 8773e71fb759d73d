import { Migration } from '@mikro-orm/migrations';

export class Migration20261130042812 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "webhook_event" drop column "locked_until";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "webhook_event" add column "locked_until" timestamptz(3) null;`);
  }

}
