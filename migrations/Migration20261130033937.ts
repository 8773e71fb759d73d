import { Migration } from '@mikro-orm/migrations';

export class Migration20261130033937 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "outbox_delivery" drop column "locked_until";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "outbox_delivery" add column "locked_until" timestamptz(3) null;`);
  }

}
