import { Migration } from '@mikro-orm/migrations';

export class Migration20261130031429 extends Migration {

  // Which gateway a payment and a webhook event went through. The default backfills every
  // existing row with 'razorpay', the only gateway until now; event ids are unique per gateway.
  override async up(): Promise<void> {
    this.addSql(`alter table "payment" add column "gateway" text not null default 'razorpay';`);

    this.addSql(`alter table "webhook_event" drop constraint "webhook_event_event_id_unique";`);

    this.addSql(`alter table "webhook_event" add column "gateway" text not null default 'razorpay';`);
    this.addSql(`alter table "webhook_event" add constraint "webhook_event_gateway_event_id_unique" unique ("gateway", "event_id");`);
  }

  // Fails (and changes nothing) while two gateways' events share an id: the old key cannot hold them.
  override async down(): Promise<void> {
    this.addSql(`alter table "payment" drop column "gateway";`);

    this.addSql(`alter table "webhook_event" drop constraint "webhook_event_gateway_event_id_unique";`);
    this.addSql(`alter table "webhook_event" drop column "gateway";`);

    this.addSql(`alter table "webhook_event" add constraint "webhook_event_event_id_unique" unique ("event_id");`);
  }

}
