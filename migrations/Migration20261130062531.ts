import { Migration } from '@mikro-orm/migrations';

export class Migration20261130062531 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "payout" add column "failed_transfers" int not null default 0;`);

    this.addSql(`drop index "journal_one_per_payout_and_kind";`);

    this.addSql(`alter table "journal" add column "reference" varchar(64) null;`);
    this.addSql(`create unique index "journal_one_per_payout_transfer_and_kind" on "journal" ("payout_id", "kind", "reference") where "payout_id" is not null and "payout_reversal_id" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "journal_one_per_payout_transfer_and_kind";`);
    this.addSql(`alter table "journal" drop column "reference";`);

    this.addSql(`CREATE UNIQUE INDEX journal_one_per_payout_and_kind ON public.journal USING btree (payout_id, kind) WHERE ((payout_id IS NOT NULL) AND (payout_reversal_id IS NULL));`);

    this.addSql(`alter table "payout" drop column "failed_transfers";`);
  }

}
