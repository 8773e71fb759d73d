import { Migration } from '@mikro-orm/migrations';

export class Migration20261122031057 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "payment" add column "reconcile_attempts" int not null default 0, add column "next_reconcile_at" timestamptz(3) null;`);
    this.addSql(`create index "payment_reconcile_due_idx" on "payment" ("status", "next_reconcile_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "payment_reconcile_due_idx";`);
    this.addSql(`alter table "payment" drop column "reconcile_attempts", drop column "next_reconcile_at";`);
  }

}
