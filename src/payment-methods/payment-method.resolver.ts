import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireUser, type Context } from '../graphql/context.js';
import { AddSavedPaymentMethodInput, UpdateSavedPaymentMethodInput } from './payment-method.inputs.js';
import type { SavedPaymentMethod } from './payment-method.entity.js';
import { SavedPaymentMethodNode, toSavedPaymentMethodNode } from './payment-method.types.js';

@Resolver(() => SavedPaymentMethodNode)
export class PaymentMethodResolver {
  @Query(() => [SavedPaymentMethodNode], { description: 'Your saved payment methods: the default first, then newest first.' })
  async savedPaymentMethods(@Ctx() ctx: Context) {
    const methods = await ctx.services.paymentMethods.listSavedPaymentMethods(requireUser(ctx));
    const now = ctx.services.paymentMethods.now();
    return methods.map((method) => toSavedPaymentMethodNode(method, now));
  }

  @Mutation(() => SavedPaymentMethodNode, { description: 'Saves a payment method; your first one becomes the default.' })
  async addSavedPaymentMethod(@Arg('input', () => AddSavedPaymentMethodInput) input: AddSavedPaymentMethodInput, @Ctx() ctx: Context) {
    return node(ctx, await ctx.services.paymentMethods.addSavedPaymentMethod(requireUser(ctx), input));
  }

  @Mutation(() => SavedPaymentMethodNode, { description: 'Renames a saved payment method and/or makes it the default.' })
  async updateSavedPaymentMethod(@Arg('input', () => UpdateSavedPaymentMethodInput) input: UpdateSavedPaymentMethodInput, @Ctx() ctx: Context) {
    return node(ctx, await ctx.services.paymentMethods.updateSavedPaymentMethod(requireUser(ctx), input));
  }

  @Mutation(() => SavedPaymentMethodNode, { description: 'Makes a saved payment method the default in place of the current one.' })
  async setDefaultPaymentMethod(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return node(ctx, await ctx.services.paymentMethods.setDefaultPaymentMethod(requireUser(ctx), id));
  }

  @Mutation(() => SavedPaymentMethodNode, {
    description: 'Removes a saved payment method (it is no longer listed); removing the default makes your newest remaining one the default.',
  })
  async removeSavedPaymentMethod(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return node(ctx, await ctx.services.paymentMethods.removeSavedPaymentMethod(requireUser(ctx), id));
  }
}

/** A saved method as the API shows it, "expired" judged by the service's clock. */
function node(ctx: Context, method: SavedPaymentMethod): SavedPaymentMethodNode {
  return toSavedPaymentMethodNode(method, ctx.services.paymentMethods.now());
}
