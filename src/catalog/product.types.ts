import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/connection.js';
import { ProductKind, type Product } from './product.entity.js';

registerEnumType(ProductKind, { name: 'ProductKind' });

@ObjectType('Product', { description: 'An item of the catalog; carts are charged its price at checkout.' })
export class ProductType {
  @Field(() => ID)
  id!: string;

  @Field(() => ProductKind)
  kind!: ProductKind;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Int, { description: 'Current price in the smallest unit (paise); a cart pays the price at its checkout.' })
  price!: number;

  @Field(() => String)
  currency!: string;

  @Field(() => Boolean, { description: 'False once deactivated: it can no longer be added to a cart or checked out.' })
  active!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date)
  updatedAt!: Date;
}

export const ProductConnection = Connection(ProductType, 'Product');

/** The API shape of a product row. */
export function toProductType(product: Product): ProductType {
  return Object.assign(new ProductType(), {
    id: product.id,
    kind: product.kind,
    name: product.name,
    description: product.description,
    price: product.price,
    currency: product.currency,
    active: product.active,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
  });
}
