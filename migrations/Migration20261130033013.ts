import { Migration } from '@mikro-orm/migrations';

export class Migration20261130033013 extends Migration {

  // PhonePe: its hosted-page URL kept with the payment (a replayed createOrder answers the same),
  // and room for its payment ids, `<merchantOrderId>:<transactionId>`, which exceed Razorpay's 40.
  override async up(): Promise<void> {
    this.addSql(`alter table "payment" add column "redirect_url" text null;`);
    this.addSql(`alter table "payment" alter column "razorpay_payment_id" type varchar(100) using ("razorpay_payment_id"::varchar(100));`);

    this.addSql(`alter table "payment_event" alter column "gateway_payment_id" type varchar(100) using ("gateway_payment_id"::varchar(100));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "payment" drop column "redirect_url";`);

    this.addSql(`alter table "payment" alter column "razorpay_payment_id" type varchar(40) using ("razorpay_payment_id"::varchar(40));`);

    this.addSql(`alter table "payment_event" alter column "gateway_payment_id" type varchar(40) using ("gateway_payment_id"::varchar(40));`);
  }

}
