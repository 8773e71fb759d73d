import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BookingType } from '../bookings/booking.types.js';
import { requireUser, type Context } from '../graphql/context.js';
import { PaymentType } from '../payments/payment.types.js';
import { AddCartItemInput, ProcessCartInput, RemoveCartItemInput, UpdateCartItemInput } from './cart.inputs.js';
import { CartType, ProcessCartResult } from './cart.types.js';

@Resolver(() => CartType)
export class CartResolver {
  @Query(() => CartType, {
    nullable: true,
    description: 'No id: your open cart (ACTIVE, or CHECKED_OUT while its payment is pending), or null if you have none; reading never creates one. With an id: that cart (yours; admin/service: any).',
  })
  cart(@Ctx() ctx: Context, @Arg('id', () => ID, { nullable: true }) id?: string) {
    return ctx.services.carts.getCart(requireUser(ctx), id);
  }

  @Mutation(() => CartType, { description: 'Adds a product (or more of it); creates your cart on first use.' })
  addCartItem(@Arg('input', () => AddCartItemInput) input: AddCartItemInput, @Ctx() ctx: Context) {
    return ctx.services.carts.addItem(requireUser(ctx), input);
  }

  @Mutation(() => CartType, { description: 'Sets the quantity of a product in your cart.' })
  updateCartItem(@Arg('input', () => UpdateCartItemInput) input: UpdateCartItemInput, @Ctx() ctx: Context) {
    return ctx.services.carts.updateItem(requireUser(ctx), input);
  }

  @Mutation(() => CartType, { description: 'Takes a product out of your cart.' })
  removeCartItem(@Arg('input', () => RemoveCartItemInput) input: RemoveCartItemInput, @Ctx() ctx: Context) {
    return ctx.services.carts.removeItem(requireUser(ctx), input);
  }

  @Mutation(() => CartType, { description: 'Empties your cart (default: your open cart).' })
  clearCart(@Ctx() ctx: Context, @Arg('cartId', () => ID, { nullable: true }) cartId?: string) {
    return ctx.services.carts.clear(requireUser(ctx), cartId);
  }

  @Mutation(() => ProcessCartResult, {
    description: 'Pays for your cart at the catalog prices of this moment. GATEWAY: open Checkout with the session; the booking is made when the payment is captured. WALLET: paid and booked at once.',
  })
  processCart(@Arg('input', () => ProcessCartInput) input: ProcessCartInput, @Ctx() ctx: Context) {
    return ctx.services.checkout.processCart(requireUser(ctx), input);
  }

  @FieldResolver(() => PaymentType, { nullable: true, description: 'The payment of its checkout; null while ACTIVE.' })
  payment(@Root() cart: CartType, @Ctx() ctx: Context) {
    return cart.paymentId ? ctx.loaders.paymentById.load(cart.paymentId) : null;
  }

  @FieldResolver(() => BookingType, { nullable: true, description: 'Once CONVERTED: what it booked.' })
  booking(@Root() cart: CartType, @Ctx() ctx: Context) {
    return cart.paymentId ? ctx.loaders.bookingByPaymentId.load(cart.paymentId) : null;
  }
}
