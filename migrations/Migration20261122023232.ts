import { Migration } from '@mikro-orm/migrations';

export class Migration20261122023232 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "ledger_account" ("id" uuid not null, "code" varchar(160) not null, "kind" text check ("kind" in ('ASSET', 'LIABILITY', 'REVENUE')) not null, "currency" varchar(3) not null, "created_at" timestamptz(3) not null, constraint "ledger_account_pkey" primary key ("id"));`);
    this.addSql(`alter table "ledger_account" add constraint "ledger_account_code_unique" unique ("code");`);

    this.addSql(`create table "journal" ("id" uuid not null, "kind" text check ("kind" in ('PAYMENT_CAPTURE', 'REFUND', 'ADJUSTMENT')) not null, "payment_id" uuid null, "description" varchar(255) not null, "created_at" timestamptz(3) not null, constraint "journal_pkey" primary key ("id"));`);
    this.addSql(`create unique index "journal_one_capture_per_payment" on "journal" ("payment_id") where "kind" = 'PAYMENT_CAPTURE';`);
    this.addSql(`create index "journal_payment_idx" on "journal" ("payment_id");`);

    this.addSql(`create table "journal_entry" ("id" bigserial primary key, "journal_id" uuid not null, "account_id" uuid not null, "amount" bigint not null, "created_at" timestamptz(3) not null);`);
    this.addSql(`create index "journal_entry_journal_idx" on "journal_entry" ("journal_id");`);
    this.addSql(`create index "journal_entry_account_idx" on "journal_entry" ("account_id");`);

    this.addSql(`create table "wallet" ("id" uuid not null, "user_id" varchar(64) not null, "currency" varchar(3) not null, "balance" bigint not null default 0, "status" text check ("status" in ('ACTIVE', 'FROZEN')) not null default 'ACTIVE', "frozen_reason" varchar(255) null, "account_id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "wallet_pkey" primary key ("id"), constraint wallet_balance_not_negative check (balance >= 0));`);
    this.addSql(`alter table "wallet" add constraint "wallet_user_currency_unique" unique ("user_id", "currency");`);

    this.addSql(`alter table "journal" add constraint "journal_payment_id_foreign" foreign key ("payment_id") references "payment" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "journal_entry" add constraint "journal_entry_journal_id_foreign" foreign key ("journal_id") references "journal" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_account_id_foreign" foreign key ("account_id") references "ledger_account" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "wallet" add constraint "wallet_account_id_foreign" foreign key ("account_id") references "ledger_account" ("id") on update cascade on delete restrict;`);

    this.addSql(`alter table "transaction" add column "wallet_id" uuid null, add column "idempotency_key" varchar(100) null;`);
    this.addSql(`alter table "transaction" add constraint "transaction_wallet_id_foreign" foreign key ("wallet_id") references "wallet" ("id") on update cascade on delete restrict;`);
    this.addSql(`create index "transaction_wallet_created_idx" on "transaction" ("wallet_id", "created_at", "id");`);
    this.addSql(`alter table "transaction" add constraint "transaction_user_idempotency_key_unique" unique ("user_id", "idempotency_key");`);

    // The ledger's rules, kept by the database whatever the code does: entries and journals are
    // append-only, and a transaction cannot commit a journal whose entries do not sum to zero.
    this.addSql(`create function ledger_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'ledger rows are append-only: % on % refused (post a correcting journal instead)', tg_op, tg_table_name;
      end $$;`);
    this.addSql(`create trigger journal_append_only before update or delete on "journal" for each row execute function ledger_refuse_change();`);
    this.addSql(`create trigger journal_entry_append_only before update or delete on "journal_entry" for each row execute function ledger_refuse_change();`);
    this.addSql(`create function ledger_check_journal_balanced() returns trigger language plpgsql as $$
      declare total numeric;
      begin
        select coalesce(sum(amount), 0) into total from journal_entry where journal_id = new.journal_id;
        if total <> 0 then
          raise exception 'journal % does not balance: its entries sum to %', new.journal_id, total;
        end if;
        return null;
      end $$;`);
    this.addSql(`create constraint trigger journal_entry_balanced after insert on "journal_entry" deferrable initially deferred for each row execute function ledger_check_journal_balanced();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists journal_entry_balanced on "journal_entry";`);
    this.addSql(`drop trigger if exists journal_entry_append_only on "journal_entry";`);
    this.addSql(`drop trigger if exists journal_append_only on "journal";`);
    this.addSql(`drop function if exists ledger_check_journal_balanced();`);
    this.addSql(`drop function if exists ledger_refuse_change();`);

    this.addSql(`alter table "journal_entry" drop constraint "journal_entry_account_id_foreign";`);

    this.addSql(`alter table "wallet" drop constraint "wallet_account_id_foreign";`);

    this.addSql(`alter table "journal_entry" drop constraint "journal_entry_journal_id_foreign";`);

    this.addSql(`alter table "transaction" drop constraint "transaction_wallet_id_foreign";`);

    this.addSql(`drop table if exists "ledger_account" cascade;`);

    this.addSql(`drop table if exists "journal" cascade;`);

    this.addSql(`drop table if exists "journal_entry" cascade;`);

    this.addSql(`drop table if exists "wallet" cascade;`);

    this.addSql(`drop index "transaction_wallet_created_idx";`);
    this.addSql(`alter table "transaction" drop constraint "transaction_user_idempotency_key_unique";`);
    this.addSql(`alter table "transaction" drop column "wallet_id", drop column "idempotency_key";`);
  }

}
