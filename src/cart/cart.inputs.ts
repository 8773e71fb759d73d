import { Field, ID, InputType, Int } from 'type-graphql';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { GatewayChoiceField } from '../payments/payment.inputs.js';
import type { PaymentGateway } from '../payments/payment.types.js';
import { IdempotencyKeyField } from '../common/validation.js';
import { CartPaymentMethod } from './cart.entity.js';

export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 99;
const QUANTITY_RULE = `must be a whole number from ${MIN_QUANTITY} to ${MAX_QUANTITY}`;
const CART_ID_RULE = 'must be a cart id returned by this API';
const PRODUCT_ID_RULE = 'must be a product id from the products query';

/** Names one product line of a cart; the other item inputs add to it. */
@InputType({ description: 'Takes a product out of a cart.' })
export class RemoveCartItemInput {
  @Field(() => ID, { nullable: true, description: 'Default: your open cart (addCartItem creates it on first use).' })
  @IsOptional()
  @IsUUID('all', { message: CART_ID_RULE })
  cartId?: string | null;

  @Field(() => ID)
  @IsUUID('all', { message: PRODUCT_ID_RULE })
  productId!: string;
}

@InputType({ description: 'Adds a product to a cart; adding one already there adds to its quantity.' })
export class AddCartItemInput extends RemoveCartItemInput {
  @Field(() => Int, { nullable: true, description: `${MIN_QUANTITY} to ${MAX_QUANTITY}; default 1.` })
  @IsOptional()
  @IsInt({ message: QUANTITY_RULE })
  @Min(MIN_QUANTITY, { message: QUANTITY_RULE })
  @Max(MAX_QUANTITY, { message: QUANTITY_RULE })
  quantity?: number | null;
}

@InputType({ description: 'Sets the quantity of a product already in a cart (removeCartItem takes it out).' })
export class UpdateCartItemInput extends RemoveCartItemInput {
  @Field(() => Int, { description: `${MIN_QUANTITY} to ${MAX_QUANTITY}.` })
  @IsInt({ message: QUANTITY_RULE })
  @Min(MIN_QUANTITY, { message: QUANTITY_RULE })
  @Max(MAX_QUANTITY, { message: QUANTITY_RULE })
  quantity!: number;
}

@InputType({ description: 'Pays for a cart at the catalog prices of this moment.' })
export class ProcessCartInput {
  @Field(() => ID)
  @IsUUID('all', { message: CART_ID_RULE })
  cartId!: string;

  @Field(() => CartPaymentMethod)
  method!: CartPaymentMethod;

  @IdempotencyKeyField('The same key from the same caller returns the original result and pays nothing twice.')
  idempotencyKey?: string | null;

  @GatewayChoiceField()
  gateway?: PaymentGateway | null;
}
