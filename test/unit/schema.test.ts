import { buildSchema, isInputObjectType, isObjectType, printSchema, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { buildAppSchema } from '../../src/graphql/schema.js';
import { createInProcessBus } from '../../src/graphql/pubsub.js';

/** API-CONTRACT.md's names and shapes (the minimum clients rely on): type → field → type. */
const CONTRACT: Record<string, Record<string, string>> = {
  Query: {
    payment: 'Payment',
    payments: 'PaymentConnection!',
    transactions: 'TransactionConnection!',
    savedPaymentMethods: '[SavedPaymentMethod!]!',
    wallet: 'Wallet!',
  },
  Mutation: {
    createOrder: 'CheckoutSession!',
    verifyPayment: 'Payment!',
    addWalletBalance: 'CheckoutSession!',
    refund: 'Refund!',
  },
  AddWalletBalanceInput: { amount: 'Int!', idempotencyKey: 'String' },
  RefundInput: { paymentId: 'ID!', amount: 'Int', reason: 'String', destination: 'RefundDestination', idempotencyKey: 'String' },
  Refund: {
    id: 'ID!', payment: 'Payment!', amount: 'Int!', status: 'RefundStatus!', destination: 'RefundDestination!', reason: 'String',
    razorpayRefundId: 'String', createdAt: 'DateTime!', processedAt: 'DateTime',
  },
  Wallet: { id: 'ID!', balance: 'Int!', currency: 'String!', transactions: 'TransactionConnection!' },
  Subscription: {
    paymentStatusChanged: 'Payment!',
    myPaymentUpdates: 'Payment!',
  },
  CreateOrderInput: {
    amount: 'Int!', currency: 'String', payeeId: 'ID', reference: 'String', description: 'String', notes: 'JSON', idempotencyKey: 'String',
  },
  CheckoutSession: { payment: 'Payment!', keyId: 'String!', razorpayOrderId: 'String!', amount: 'Int!', currency: 'String!' },
  VerifyPaymentInput: { razorpayOrderId: 'String!', razorpayPaymentId: 'String!', razorpaySignature: 'String!' },
  Payment: {
    id: 'ID!', status: 'PaymentStatus!', purpose: 'PaymentPurpose!', amount: 'Int!', currency: 'String!', platformFee: 'Int!',
    payeeAmount: 'Int!', amountRefunded: 'Int!', payerId: 'ID!', payeeId: 'ID', reference: 'String', description: 'String',
    razorpayOrderId: 'String', razorpayPaymentId: 'String', method: 'PaymentMethodDetails', failureReason: 'String',
    createdAt: 'DateTime!', updatedAt: 'DateTime!', paidAt: 'DateTime', transactions: '[Transaction!]!', refunds: '[Refund!]!',
  },
  Transaction: {
    id: 'ID!', type: 'TransactionType!', status: 'TransactionStatus!', amount: 'Int!', currency: 'String!', payment: 'Payment',
    createdAt: 'DateTime!', completedAt: 'DateTime',
  },
  PaymentConnection: { edges: '[PaymentEdge!]!', pageInfo: 'PageInfo!', totalCount: 'Int!' },
  PaymentEdge: { cursor: 'String!', node: 'Payment!' },
  PageInfo: { hasNextPage: 'Boolean!', endCursor: 'String' },
};

function fieldType(schema: GraphQLSchema, typeName: string, field: string): string | undefined {
  const type = schema.getType(typeName);
  if (isObjectType(type) || isInputObjectType(type)) return type.getFields()[field]?.type.toString();
  return undefined;
}

describe('schema.graphql', () => {
  it('is the schema the resolvers generate (regenerate with: npm run schema)', async () => {
    const printed = `${printSchema(await buildAppSchema(createInProcessBus()))}\n`;
    await expect(printed).toMatchFileSnapshot('../../schema.graphql');
  });

  it('contains every operation and type of the API contract', async () => {
    const schema = buildSchema(await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    const missing: string[] = [];
    for (const [typeName, fields] of Object.entries(CONTRACT)) {
      for (const [field, expected] of Object.entries(fields)) {
        const actual = fieldType(schema, typeName, field);
        if (actual !== expected) missing.push(`${typeName}.${field}: expected ${expected}, found ${actual ?? 'nothing'}`);
      }
    }
    expect(missing).toEqual([]);
    const payments = schema.getQueryType()!.getFields().payments!;
    expect(payments.args.map((a) => `${a.name}: ${a.type}`).sort()).toEqual(['after: String', 'filter: PaymentFilter', 'first: Int']);
    expect(schema.getMutationType()!.getFields().createOrder!.args[0]!.type.toString()).toBe('CreateOrderInput!');
  });
});
