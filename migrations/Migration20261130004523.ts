import { Migration } from '@mikro-orm/migrations';

export class Migration20261130004523 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "payment" add column "funding" text check ("funding" in ('GATEWAY', 'WALLET')) null;`);
    // Backfill: a payment whose money arrived was paid from the wallet exactly when the capture
    // debited it (a WALLET_DEBIT of a non-top-up payment is only ever that); otherwise the gateway.
    this.addSql(`update "payment" p set "funding" = case
        when p."purpose" <> 'WALLET_TOPUP' and exists (
          select 1 from "transaction" t where t."payment_id" = p."id" and t."type" = 'WALLET_DEBIT') then 'WALLET'
        else 'GATEWAY' end
      where p."status" in ('CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED');`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "payment" drop column "funding";`);
  }

}
