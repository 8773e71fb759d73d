import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { mapPage } from '../common/paging.js';
import { requireRole, requireUser, type Context } from '../graphql/context.js';
import { AddProductInput, UpdateProductInput } from './product.inputs.js';
import { ProductConnection, ProductType, toProductType } from './product.types.js';

@Resolver(() => ProductType)
export class ProductResolver {
  @Query(() => ProductConnection, { description: 'The catalog, newest first: active products (admin/service: all).' })
  async products(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: '1 to 100; default 20' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return mapPage(await ctx.services.products.listProducts(requireUser(ctx), first, after), toProductType);
  }

  @Authorized(['admin'])
  @Mutation(() => ProductType, { description: 'Admin: adds a product to the catalog.' })
  async addProduct(@Arg('input', () => AddProductInput) input: AddProductInput, @Ctx() ctx: Context) {
    return toProductType(await ctx.services.products.addProduct(requireRole(ctx, ['admin']), input));
  }

  @Authorized(['admin'])
  @Mutation(() => ProductType, { description: 'Admin: renames, reprices, (re)activates a product.' })
  async updateProduct(@Arg('input', () => UpdateProductInput) input: UpdateProductInput, @Ctx() ctx: Context) {
    return toProductType(await ctx.services.products.updateProduct(requireRole(ctx, ['admin']), input));
  }

  @Authorized(['admin'])
  @Mutation(() => ProductType, { description: 'Admin: takes a product off sale; carts holding it cannot be checked out until it is removed.' })
  async deactivateProduct(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return toProductType(await ctx.services.products.deactivateProduct(requireRole(ctx, ['admin']), id));
  }
}
