import { Migration } from '@mikro-orm/migrations';

export class Migration20261122031311 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "payment_event" add column "request_id" varchar(100) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "payment_event" drop column "request_id";`);
  }

}
