import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { BookingType } from '../bookings/booking.types.js';
import { requireUser, type Context } from '../graphql/context.js';
import { PaymentType } from '../payments/payment.types.js';
import { AddCartItemInput, ProcessCartInput, RemoveCartItemInput, UpdateCartItemInput } from './cart.inputs.js';
import { CartType, ProcessCartResult, toCartType, toProcessCartResult } from './cart.types.js';

@Resolver(() => CartType)
export class CartResolver {
  @Query(() => CartType, {
    nullable: true,
    description: 'No id: your open cart (ACTIVE, or CHECKED_OUT while its payment is pending), or null if you have none; reading never creates one. With an id: that cart (yours; admin/service: any).',
  })
  async cart(@Ctx() ctx: Context, @Arg('id', () => ID, { nullable: true }) id?: string) {
    const view = await ctx.services.carts.getCart(requireUser(ctx), id);
    return view ? toCartType(view) : null;
  }

  @Mutation(() => CartType, { description: 'Adds a product (or more of it); creates your cart on first use.' })
  async addCartItem(@Arg('input', () => AddCartItemInput) input: AddCartItemInput, @Ctx() ctx: Context) {
    return toCartType(await ctx.services.carts.addItem(requireUser(ctx), input));
  }

  @Mutation(() => CartType, { description: 'Sets the quantity of a product in your cart.' })
  async updateCartItem(@Arg('input', () => UpdateCartItemInput) input: UpdateCartItemInput, @Ctx() ctx: Context) {
    return toCartType(await ctx.services.carts.updateItem(requireUser(ctx), input));
  }

  @Mutation(() => CartType, { description: 'Takes a product out of your cart.' })
  async removeCartItem(@Arg('input', () => RemoveCartItemInput) input: RemoveCartItemInput, @Ctx() ctx: Context) {
    return toCartType(await ctx.services.carts.removeItem(requireUser(ctx), input));
  }

  @Mutation(() => CartType, { description: 'Empties your cart (default: your open cart).' })
  async clearCart(@Ctx() ctx: Context, @Arg('cartId', () => ID, { nullable: true }) cartId?: string) {
    return toCartType(await ctx.services.carts.clear(requireUser(ctx), cartId));
  }

  @Mutation(() => ProcessCartResult, {
    description: 'Pays for your cart at the catalog prices of this moment. GATEWAY: open Checkout with the session; the booking is made when the payment is captured. WALLET: paid and booked at once.',
  })
  async processCart(@Arg('input', () => ProcessCartInput) input: ProcessCartInput, @Ctx() ctx: Context) {
    return toProcessCartResult(await ctx.services.checkout.processCart(requireUser(ctx), input));
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
