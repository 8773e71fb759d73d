import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireUser, type Context } from '../graphql/context.js';
import { AddSavedPaymentMethodInput, UpdateSavedPaymentMethodInput } from './payment-method.inputs.js';
import { SavedPaymentMethodNode } from './payment-method.types.js';

@Resolver(() => SavedPaymentMethodNode)
export class PaymentMethodResolver {
  @Query(() => [SavedPaymentMethodNode], { description: 'Your saved payment methods: the default first, then newest first.' })
  savedPaymentMethods(@Ctx() ctx: Context) {
    return ctx.services.paymentMethods.listSavedPaymentMethods(requireUser(ctx));
  }

  @Mutation(() => SavedPaymentMethodNode, { description: 'Saves a payment method; your first one becomes the default.' })
  addSavedPaymentMethod(@Arg('input', () => AddSavedPaymentMethodInput) input: AddSavedPaymentMethodInput, @Ctx() ctx: Context) {
    return ctx.services.paymentMethods.addSavedPaymentMethod(requireUser(ctx), input);
  }

  @Mutation(() => SavedPaymentMethodNode, { description: 'Renames a saved payment method and/or makes it the default.' })
  updateSavedPaymentMethod(@Arg('input', () => UpdateSavedPaymentMethodInput) input: UpdateSavedPaymentMethodInput, @Ctx() ctx: Context) {
    return ctx.services.paymentMethods.updateSavedPaymentMethod(requireUser(ctx), input);
  }

  @Mutation(() => SavedPaymentMethodNode, { description: 'Makes a saved payment method the default in place of the current one.' })
  setDefaultPaymentMethod(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.paymentMethods.setDefaultPaymentMethod(requireUser(ctx), id);
  }

  @Mutation(() => SavedPaymentMethodNode, {
    description: 'Removes a saved payment method (it is no longer listed); removing the default makes your newest remaining one the default.',
  })
  removeSavedPaymentMethod(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.paymentMethods.removeSavedPaymentMethod(requireUser(ctx), id);
  }
}
