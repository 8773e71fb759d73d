import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireRole, type Context } from '../graphql/context.js';
import { notFound } from '../graphql/errors.js';
import { isUuid } from '../common/ids.js';
import { mapPage } from '../common/paging.js';
import { DeliveryStatus } from './outbox.entities.js';
import { OutboxDeliveryConnection, OutboxDeliveryType, toOutboxDeliveryType } from './outbox.types.js';

@Resolver()
export class OutboxResolver {
  @Authorized(['admin'])
  @Query(() => OutboxDeliveryConnection, { description: 'Admin: deliveries to other services, newest first.' })
  async outboxDeliveries(
    @Ctx() ctx: Context,
    @Arg('status', () => DeliveryStatus, { nullable: true }) status?: DeliveryStatus,
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; default 20' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    requireRole(ctx, ['admin']);
    return mapPage(await ctx.services.outbox.listDeliveries(status ?? null, first, after), toOutboxDeliveryType);
  }

  @Authorized(['admin'])
  @Mutation(() => OutboxDeliveryType, { description: 'Admin: send a delivery again now (delivered or given up alike).' })
  async redeliverOutboxDelivery(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    requireRole(ctx, ['admin']);
    const delivery = isUuid(id) ? await ctx.services.outbox.redeliver(id) : null;
    if (!delivery) throw notFound('Outbox delivery', id);
    return toOutboxDeliveryType(delivery);
  }
}
