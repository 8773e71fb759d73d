import { Migration } from '@mikro-orm/migrations';

export class Migration20261130091407 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "journal" drop constraint if exists "journal_kind_check";`);

    this.addSql(`alter table "payout" add column "amount_netted" bigint not null default 0, add column "method" text check ("method" in ('PAYMENT', 'DIRECT')) not null default 'PAYMENT';`);

    this.addSql(`alter table "journal" add constraint "journal_kind_check" check("kind" in ('PAYMENT_CAPTURE', 'REFUND', 'REFUND_HOLD', 'REFUND_RELEASE', 'ADJUSTMENT', 'PAYOUT_TRANSFER', 'PAYOUT_PROCESSED', 'PAYOUT_FAILED', 'PAYOUT_REVERSAL', 'PAYOUT_RECEIVABLE', 'PAYOUT_NETTED'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "journal" drop constraint if exists "journal_kind_check";`);

    this.addSql(`alter table "journal" add constraint "journal_kind_check" check("kind" in ('PAYMENT_CAPTURE', 'REFUND', 'REFUND_HOLD', 'REFUND_RELEASE', 'ADJUSTMENT', 'PAYOUT_TRANSFER', 'PAYOUT_PROCESSED', 'PAYOUT_FAILED', 'PAYOUT_REVERSAL', 'PAYOUT_RECEIVABLE'));`);

    this.addSql(`alter table "payout" drop column "amount_netted", drop column "method";`);
  }

}
