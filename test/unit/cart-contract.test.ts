import { buildSchema, isEnumType, isInputObjectType, isObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';

/** API-CONTRACT.md's cart checkout names and shapes: type → field → type. */
const CONTRACT: Record<string, Record<string, string>> = {
  Query: { products: 'ProductConnection!', cart: 'Cart', booking: 'Booking' },
  Mutation: { processCart: 'ProcessCartResult!' },
  ProcessCartInput: { cartId: 'ID!', method: 'CartPaymentMethod!', idempotencyKey: 'String' },
  ProcessCartResult: { payment: 'Payment!', checkout: 'CheckoutSession', booking: 'Booking' },
  Booking: { id: 'ID!', reference: 'String!', status: 'String!', payment: 'Payment!', totalAmount: 'Int!', createdAt: 'DateTime!' },
  Payment: { booking: 'Booking' },
  ProductConnection: { edges: '[ProductEdge!]!', pageInfo: 'PageInfo!', totalCount: 'Int!' },
};

function fieldType(schema: GraphQLSchema, typeName: string, field: string): string | undefined {
  const type = schema.getType(typeName);
  if (isObjectType(type) || isInputObjectType(type)) return type.getFields()[field]?.type.toString();
  return undefined;
}

describe('schema.graphql, cart checkout', () => {
  it('contains the contract’s operations and types', async () => {
    const schema = buildSchema(await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    const missing: string[] = [];
    for (const [typeName, fields] of Object.entries(CONTRACT)) {
      for (const [field, expected] of Object.entries(fields)) {
        const actual = fieldType(schema, typeName, field);
        if (actual !== expected) missing.push(`${typeName}.${field}: expected ${expected}, found ${actual ?? 'nothing'}`);
      }
    }
    expect(missing).toEqual([]);
    const method = schema.getType('CartPaymentMethod');
    expect(isEnumType(method) && method.getValues().map((v) => v.name)).toEqual(['GATEWAY', 'WALLET']);
    const query = schema.getQueryType()!.getFields();
    expect(query.cart!.args.map((a) => `${a.name}: ${a.type}`)).toEqual(['id: ID']);
    expect(query.booking!.args.map((a) => `${a.name}: ${a.type}`)).toEqual(['id: ID!']);
    expect(query.products!.args.map((a) => `${a.name}: ${a.type}`).sort()).toEqual(['after: String', 'first: Int']);
    expect(schema.getMutationType()!.getFields().processCart!.args[0]!.type.toString()).toBe('ProcessCartInput!');
  });
});
