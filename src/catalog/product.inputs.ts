import { Field, ID, InputType, Int } from 'type-graphql';
import { IsIn, IsInt, IsOptional, IsUUID, MaxLength, Min, MinLength, NotContains } from 'class-validator';
import { CURRENCIES } from '../money/money.js';
import { NO_NUL_RULE, NUL } from '../common/validation.js';
import { ProductKind } from './product.entity.js';

const CURRENCY_CODES = Object.keys(CURRENCIES);
const PRICE_RULE = 'must be a positive integer in the smallest currency unit (paise)';

@InputType({ description: 'A new catalog item (admin).' })
export class AddProductInput {
  @Field(() => String)
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(120, { message: 'must be at most 120 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500, { message: 'must be at most 500 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  description?: string | null;

  @Field(() => ProductKind, { nullable: true, description: 'Default PRODUCT.' })
  @IsOptional()
  kind?: ProductKind | null;

  @Field(() => Int, { description: 'In the smallest unit (paise): 49900 is ₹499.00.' })
  @IsInt({ message: PRICE_RULE })
  @Min(1, { message: PRICE_RULE })
  price!: number;

  @Field(() => String, { nullable: true, description: 'ISO-4217 code; default INR. Fixed once the product exists.' })
  @IsOptional()
  @IsIn(CURRENCY_CODES, { message: `must be one of ${CURRENCY_CODES.join(', ')}` })
  currency?: string | null;
}

@InputType({ description: 'Changes to a catalog item (admin); fields left out stay as they are. Carts already checked out keep the price they were charged.' })
export class UpdateProductInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'must be a product id returned by this API' })
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(120, { message: 'must be at most 120 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'An empty string removes the description.' })
  @IsOptional()
  @MaxLength(500, { message: 'must be at most 500 characters' })
  @NotContains(NUL, { message: NO_NUL_RULE })
  description?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt({ message: PRICE_RULE })
  @Min(1, { message: PRICE_RULE })
  price?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'False deactivates; true offers it again.' })
  @IsOptional()
  active?: boolean | null;
}
