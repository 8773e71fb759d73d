import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/connection.js';
import { DeliveryStatus, type OutboxDelivery } from './outbox.entities.js';

registerEnumType(DeliveryStatus, { name: 'OutboxDeliveryStatus' });

@ObjectType('OutboxDelivery', { description: 'One message to one subscriber: what other services were told, and how that went.' })
export class OutboxDeliveryType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The stable event id receivers deduplicate on (X-Payments-Event-Id).' })
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => String)
  subscriberUrl!: string;

  @Field(() => DeliveryStatus)
  status!: DeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date)
  nextAttemptAt!: Date;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;
}

export const OutboxDeliveryConnection = Connection(OutboxDeliveryType, 'OutboxDelivery');

export function toOutboxDeliveryType(delivery: OutboxDelivery): OutboxDeliveryType {
  return Object.assign(new OutboxDeliveryType(), {
    id: delivery.id,
    eventId: delivery.message.id,
    eventType: delivery.message.type,
    subscriberUrl: delivery.subscriberUrl,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.nextAttemptAt,
    deliveredAt: delivery.deliveredAt,
    createdAt: delivery.createdAt,
  });
}
