/**
 * Saved payment methods over real HTTP against real PostgreSQL: every type saved, every bad
 * field refused by name with nothing written, card numbers never accepted nor repeated, other
 * users' and removed methods NOT_FOUND, soft removal with the default handed on, the 20-method
 * limit, and exactly one default under concurrent requests.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SavedPaymentMethod } from '../../src/payment-methods/payment-method.entity.js';
import {
  AddSavedPaymentMethodDocument,
  RemoveSavedPaymentMethodDocument,
  SavedPaymentMethodsDocument,
  SetDefaultPaymentMethodDocument,
  UpdateSavedPaymentMethodDocument,
  type AddSavedPaymentMethodInput,
  type SavedPaymentMethodFieldsFragment,
} from '../graphql/generated.js';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server.js';

type GraphQLError = NonNullable<GraphQLResponse<unknown>['errors']>[number];

let server: TestServer;
const tokens = new Map<string, string>();

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function tokenFor(userId: string): Promise<string> {
  if (!tokens.has(userId)) tokens.set(userId, await server.token(userId));
  return tokens.get(userId)!;
}

const now = new Date();
const THIS_YEAR = now.getUTCFullYear();
const THIS_MONTH = now.getUTCMonth() + 1;
/** The month before this one, and the field an expiry in it is refused on. */
const LAST_MONTH = THIS_MONTH > 1
  ? { expiryMonth: THIS_MONTH - 1, expiryYear: THIS_YEAR, field: 'input.expiryMonth' }
  : { expiryMonth: 12, expiryYear: THIS_YEAR - 1, field: 'input.expiryYear' };

const CARD: AddSavedPaymentMethodInput = { type: 'CARD', cardNetwork: 'Visa', last4: '4242', expiryMonth: 12, expiryYear: THIS_YEAR + 3 };
const UPI: AddSavedPaymentMethodInput = { type: 'UPI', vpa: 'asha.k@okaxis' };
const NETBANKING: AddSavedPaymentMethodInput = { type: 'NETBANKING', bankName: 'HDFC Bank' };
const WALLET: AddSavedPaymentMethodInput = { type: 'WALLET', walletProvider: 'paytm', maskedWalletNumber: 'XXXXXX1234' };
const CARD_NUMBER = /4111|1111/;

async function add(userId: string, input: AddSavedPaymentMethodInput): Promise<SavedPaymentMethodFieldsFragment> {
  const response = await server.gql(AddSavedPaymentMethodDocument, { input }, await tokenFor(userId));
  expect(response.errors).toBeUndefined();
  return response.data!.addSavedPaymentMethod;
}

async function list(userId: string): Promise<SavedPaymentMethodFieldsFragment[]> {
  const response = await server.gql(SavedPaymentMethodsDocument, {}, await tokenFor(userId));
  expect(response.errors).toBeUndefined();
  return response.data!.savedPaymentMethods;
}

/** Every row of the user's, removed ones included, straight from the database. */
function rows(userId: string): Promise<SavedPaymentMethod[]> {
  return server.db.orm.em.fork().find(SavedPaymentMethod, { userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

async function liveDefaults(userId: string): Promise<SavedPaymentMethod[]> {
  return (await rows(userId)).filter((row) => row.isDefault && row.deletedAt === null);
}

function onlyError(response: GraphQLResponse<unknown>): GraphQLError {
  expect(response.errors).toHaveLength(1);
  return response.errors![0]!;
}

/**
 * Sends an input the generated type may not allow (hostile clients do not use our types),
 * expects one BAD_USER_INPUT naming `field`, and proves nothing was written.
 */
async function expectRefused(input: Record<string, unknown>, field: string, userId = 'refused'): Promise<GraphQLError> {
  const before = await rows(userId);
  const response = await server.gql(AddSavedPaymentMethodDocument, { input: input as AddSavedPaymentMethodInput }, await tokenFor(userId));
  expect(response.data?.addSavedPaymentMethod ?? null).toBeNull();
  const error = onlyError(response);
  expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(error.message.startsWith(`${field}: `)).toBe(true);
  expect(await rows(userId)).toEqual(before);
  return error;
}

describe('adding saved payment methods', () => {
  it('saves a card as network, last 4 digits and expiry; the first method becomes the default', async () => {
    const card = await add('alice', { ...CARD, cardNetwork: 'rupay', nickname: ' Salary card ' });
    expect(card).toMatchObject({
      type: 'CARD',
      nickname: 'Salary card',
      provider: 'RuPay',
      cardNetwork: 'RuPay',
      last4: '4242',
      expiryMonth: 12,
      expiryYear: THIS_YEAR + 3,
      expired: false,
      vpa: null,
      bankName: null,
      walletProvider: null,
      maskedWalletNumber: null,
      isDefault: true,
      deletedAt: null,
    });
    const [row] = await rows('alice');
    expect(row).toMatchObject({ id: card.id, userId: 'alice', cardLast4: '4242', isDefault: true });
  });

  it('saves a UPI id with the provider named by its handle, unknown handles as themselves', async () => {
    expect(await add('alice', UPI)).toMatchObject({ type: 'UPI', vpa: 'asha.k@okaxis', provider: 'Google Pay', isDefault: false });
    expect(await add('alice', { type: 'UPI', vpa: 'Asha@YBL' })).toMatchObject({ vpa: 'asha@ybl', provider: 'PhonePe' });
    expect(await add('alice', { type: 'UPI', vpa: 'asha@paytm' })).toMatchObject({ provider: 'Paytm' });
    expect(await add('alice', { type: 'UPI', vpa: 'asha@newbank' })).toMatchObject({ provider: 'newbank' });
  });

  it('saves net banking and wallets', async () => {
    expect(await add('alice', NETBANKING)).toMatchObject({ type: 'NETBANKING', bankName: 'HDFC Bank', provider: 'HDFC Bank' });
    expect(await add('alice', { ...WALLET, walletProvider: 'PhonePe', maskedWalletNumber: '******9876' })).toMatchObject({
      type: 'WALLET',
      walletProvider: 'phonepe',
      provider: 'PhonePe',
      maskedWalletNumber: 'XXXXXX9876',
    });
  });

  it('isDefault on a new method moves the default to it', async () => {
    const before = await liveDefaults('alice');
    expect(before).toHaveLength(1);
    const added = await add('alice', { ...CARD, cardNetwork: 'Amex', last4: '0005', isDefault: true });
    expect(added.isDefault).toBe(true);
    expect((await liveDefaults('alice')).map((row) => row.id)).toEqual([added.id]);
  });

  it("lists the caller's methods, the default first and then newest first", async () => {
    const methods = await list('alice');
    expect(methods).toHaveLength(8);
    expect(methods[0]).toMatchObject({ isDefault: true, cardNetwork: 'Amex' });
    const rest = methods.slice(1).map((m) => Date.parse(m.createdAt));
    expect([...rest].sort((a, b) => b - a)).toEqual(rest);
    expect(await list('nobody-yet')).toEqual([]);
  });

  it('needs a signed-in caller', async () => {
    const response = await server.gql(SavedPaymentMethodsDocument, {}, null);
    expect(onlyError(response).extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('full card numbers are never accepted', () => {
  it.each([
    ['last4', { ...CARD, last4: '4111111111111111' }, 'input.last4'],
    ['last4 with spaces', { ...CARD, last4: '4111 1111 1111 1111' }, 'input.last4'],
    ['last4 with dashes', { ...CARD, last4: '4111-1111-1111-1111' }, 'input.last4'],
    ['nickname', { ...CARD, nickname: 'My visa 4111111111111111' }, 'input.nickname'],
    ['nickname of a UPI method', { ...UPI, nickname: '4111 1111 1111 1111' }, 'input.nickname'],
    ['last4 of a UPI method', { ...UPI, last4: '4111111111111111' }, 'input.last4'],
  ])('in %s', async (_where, input, field) => {
    const error = await expectRefused(input, field);
    expect(error.message).toContain('full card numbers are never accepted');
    expect(JSON.stringify(error)).not.toMatch(CARD_NUMBER);
  });

  it('in a renamed nickname', async () => {
    const method = await add('renamer', UPI);
    const response = await server.gql(UpdateSavedPaymentMethodDocument, { input: { id: method.id, nickname: '4111 1111 1111 1111' } }, await tokenFor('renamer'));
    const error = onlyError(response);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.nickname' });
    expect(error.message).toContain('full card numbers are never accepted');
    expect(JSON.stringify(error)).not.toMatch(CARD_NUMBER);
    expect((await rows('renamer'))[0]!.nickname).toBeNull();
  });
});

describe('bad input is refused by field, with nothing written', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a nickname over 40 characters', { ...CARD, nickname: 'n'.repeat(41) }, 'input.nickname'],
    ['a nickname with a line break', { ...CARD, nickname: 'two\nlines' }, 'input.nickname'],
    ['an unknown card network', { ...CARD, cardNetwork: 'Bajaj' }, 'input.cardNetwork'],
    ['last4 of 3 digits', { ...CARD, last4: '424' }, 'input.last4'],
    ['last4 of 5 digits', { ...CARD, last4: '42424' }, 'input.last4'],
    ['last4 with letters', { ...CARD, last4: 'abcd' }, 'input.last4'],
    ['expiry month 0', { ...CARD, expiryMonth: 0 }, 'input.expiryMonth'],
    ['expiry month 13', { ...CARD, expiryMonth: 13 }, 'input.expiryMonth'],
    ['a 2-digit expiry year', { ...CARD, expiryYear: 29 }, 'input.expiryYear'],
    ['an expiry year more than 20 years ahead', { ...CARD, expiryYear: THIS_YEAR + 21 }, 'input.expiryYear'],
    ['a UPI id without a handle', { type: 'UPI', vpa: 'asha' }, 'input.vpa'],
    ['a UPI id with a 1-character name', { type: 'UPI', vpa: 'a@okaxis' }, 'input.vpa'],
    ['a UPI id with a digit in the handle', { type: 'UPI', vpa: 'asha@ok4xis' }, 'input.vpa'],
    ['a UPI id with a space', { type: 'UPI', vpa: 'asha k@okaxis' }, 'input.vpa'],
    ['a blank bank name', { type: 'NETBANKING', bankName: '  ' }, 'input.bankName'],
    ['a bank name over 100 characters', { type: 'NETBANKING', bankName: 'B'.repeat(101) }, 'input.bankName'],
    ['an unknown wallet', { ...WALLET, walletProvider: 'paypal' }, 'input.walletProvider'],
    ['a full phone number as the wallet number', { ...WALLET, maskedWalletNumber: '9876543210' }, 'input.maskedWalletNumber'],
    ['a +91 phone number as the wallet number', { ...WALLET, maskedWalletNumber: '+91 98765 43210' }, 'input.maskedWalletNumber'],
    ['a wallet number masked too little', { ...WALLET, maskedWalletNumber: 'XXXX5678' }, 'input.maskedWalletNumber'],
    ['a card without its network', { ...CARD, cardNetwork: undefined }, 'input.cardNetwork'],
    ['a card without last4', { ...CARD, last4: undefined }, 'input.last4'],
    ['a card without its expiry month', { ...CARD, expiryMonth: null }, 'input.expiryMonth'],
    ['a card without its expiry year', { ...CARD, expiryYear: null }, 'input.expiryYear'],
    ['UPI without a UPI id', { type: 'UPI' }, 'input.vpa'],
    ['net banking without a bank', { type: 'NETBANKING' }, 'input.bankName'],
    ['a wallet without its provider', { ...WALLET, walletProvider: undefined }, 'input.walletProvider'],
    ['a wallet without its number', { ...WALLET, maskedWalletNumber: undefined }, 'input.maskedWalletNumber'],
    ['a UPI id on a card', { ...CARD, vpa: 'asha@okaxis' }, 'input.vpa'],
    ['a wallet number on a card', { ...CARD, maskedWalletNumber: 'XXXXXX1234' }, 'input.maskedWalletNumber'],
    ['last4 on UPI', { ...UPI, last4: '4242' }, 'input.last4'],
    ['a card network on UPI', { ...UPI, cardNetwork: 'Visa' }, 'input.cardNetwork'],
    ['an expiry year on net banking', { ...NETBANKING, expiryYear: THIS_YEAR + 1 }, 'input.expiryYear'],
    ['a wallet on net banking', { ...NETBANKING, walletProvider: 'paytm' }, 'input.walletProvider'],
    ['a bank name on a wallet', { ...WALLET, bankName: 'HDFC Bank' }, 'input.bankName'],
  ])('%s', async (_what, input, field) => {
    const error = await expectRefused(input, field);
    const sent = input[field.slice('input.'.length)];
    if (typeof sent === 'string' && sent.trim().length >= 4) expect(error.message, 'the value sent is not repeated').not.toContain(sent);
  });

  it('an expired card: last year, and last month', async () => {
    const lastYear = await expectRefused({ ...CARD, expiryMonth: 12, expiryYear: THIS_YEAR - 1 }, 'input.expiryYear');
    expect(lastYear.message).toMatch(/expired/);
    const lastMonth = await expectRefused({ ...CARD, expiryMonth: LAST_MONTH.expiryMonth, expiryYear: LAST_MONTH.expiryYear }, LAST_MONTH.field);
    expect(lastMonth.message).toMatch(/expired/);
    expect(await add('fresh-card', { ...CARD, expiryMonth: THIS_MONTH, expiryYear: THIS_YEAR })).toMatchObject({ expired: false });
  });

  it('a CVV or card number field does not exist: GraphQL refuses it', async () => {
    for (const extra of [{ cvv: '123' }, { cardNumber: '4111111111111111' }]) {
      const response = await server.gql(AddSavedPaymentMethodDocument, { input: { ...CARD, ...extra } as AddSavedPaymentMethodInput }, await tokenFor('refused'));
      expect(onlyError(response).extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.data ?? null).toBeNull();
    }
    expect(await rows('refused')).toEqual([]);
  });

  it('update: a long nickname, and unsetting the default', async () => {
    const method = await add('updater', CARD);
    const token = await tokenFor('updater');
    const long = await server.gql(UpdateSavedPaymentMethodDocument, { input: { id: method.id, nickname: 'n'.repeat(41) } }, token);
    expect(onlyError(long).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.nickname' });
    const unset = await server.gql(UpdateSavedPaymentMethodDocument, { input: { id: method.id, isDefault: false } }, token);
    expect(onlyError(unset).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.isDefault' });
    expect(await liveDefaults('updater')).toHaveLength(1);
  });
});

describe('updating, setting the default and removing', () => {
  it('renames, clears a nickname and moves the default through update', async () => {
    const token = await tokenFor('frank');
    const first = await add('frank', CARD);
    const second = await add('frank', UPI);
    const renamed = await server.gql(UpdateSavedPaymentMethodDocument, { input: { id: second.id, nickname: 'Phone UPI', isDefault: true } }, token);
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data!.updateSavedPaymentMethod).toMatchObject({ id: second.id, nickname: 'Phone UPI', isDefault: true });
    expect((await list('frank')).map((m) => [m.id, m.isDefault])).toEqual([[second.id, true], [first.id, false]]);
    const cleared = await server.gql(UpdateSavedPaymentMethodDocument, { input: { id: second.id, nickname: null } }, token);
    expect(cleared.data!.updateSavedPaymentMethod).toMatchObject({ nickname: null, isDefault: true });
    const back = await server.gql(SetDefaultPaymentMethodDocument, { id: first.id }, token);
    expect(back.data!.setDefaultPaymentMethod).toMatchObject({ id: first.id, isDefault: true });
    expect((await liveDefaults('frank')).map((row) => row.id)).toEqual([first.id]);
  });

  it("another user's method is NOT_FOUND for update, set-default and remove, and stays as it was", async () => {
    const method = await add('grace', { ...CARD, nickname: 'Mine' });
    const mallory = await tokenFor('mallory');
    const attempts: GraphQLResponse<unknown>[] = [
      await server.gql(UpdateSavedPaymentMethodDocument, { input: { id: method.id, nickname: 'Stolen' } }, mallory),
      await server.gql(UpdateSavedPaymentMethodDocument, { input: { id: method.id, isDefault: true } }, mallory),
      await server.gql(SetDefaultPaymentMethodDocument, { id: method.id }, mallory),
      await server.gql(RemoveSavedPaymentMethodDocument, { id: method.id }, mallory),
    ];
    for (const response of attempts) expect(onlyError(response).extensions).toMatchObject({ code: 'NOT_FOUND', id: method.id });
    expect(await list('mallory')).toEqual([]);
    expect((await rows('grace'))[0]).toMatchObject({ nickname: 'Mine', isDefault: true, deletedAt: null });
  });

  it('an id the API never issued is NOT_FOUND and not repeated back', async () => {
    const token = await tokenFor('grace');
    for (const id of ['not-a-uuid', '4111111111111111', '00000000-0000-4000-8000-000000000000']) {
      const error = onlyError(await server.gql(SetDefaultPaymentMethodDocument, { id }, token));
      expect(error.extensions?.code).toBe('NOT_FOUND');
      if (id !== '00000000-0000-4000-8000-000000000000') expect(JSON.stringify(error)).not.toContain(id);
    }
  });

  it('removal is soft: the method is no longer listed or usable, and its row stays', async () => {
    const token = await tokenFor('heidi');
    await add('heidi', CARD);
    const upi = await add('heidi', UPI);
    const removed = await server.gql(RemoveSavedPaymentMethodDocument, { id: upi.id }, token);
    expect(removed.errors).toBeUndefined();
    expect(removed.data!.removeSavedPaymentMethod.deletedAt).not.toBeNull();
    expect((await list('heidi')).map((m) => m.id)).not.toContain(upi.id);
    const row = (await rows('heidi')).find((r) => r.id === upi.id);
    expect(row).toMatchObject({ vpa: 'asha.k@okaxis', isDefault: false });
    expect(row!.deletedAt).toBeInstanceOf(Date);
    for (const response of [
      await server.gql(RemoveSavedPaymentMethodDocument, { id: upi.id }, token),
      await server.gql(SetDefaultPaymentMethodDocument, { id: upi.id }, token),
      await server.gql(UpdateSavedPaymentMethodDocument, { input: { id: upi.id, nickname: 'back' } }, token),
    ]) {
      expect(onlyError(response).extensions?.code).toBe('NOT_FOUND');
    }
  });

  it('removing the default makes the newest remaining method the default; removing the last leaves none', async () => {
    const token = await tokenFor('ivan');
    const a = await add('ivan', CARD);
    const b = await add('ivan', UPI);
    const c = await add('ivan', NETBANKING);
    const d = await add('ivan', WALLET);
    expect(a.isDefault).toBe(true);
    // d is the newest, c the next; removing the default a must promote d.
    await server.gql(RemoveSavedPaymentMethodDocument, { id: a.id }, token);
    expect((await list('ivan')).map((m) => [m.id, m.isDefault])).toEqual([[d.id, true], [c.id, false], [b.id, false]]);
    await server.gql(RemoveSavedPaymentMethodDocument, { id: c.id }, token);
    expect((await liveDefaults('ivan')).map((row) => row.id)).toEqual([d.id]);
    await server.gql(RemoveSavedPaymentMethodDocument, { id: d.id }, token);
    expect((await list('ivan')).map((m) => [m.id, m.isDefault])).toEqual([[b.id, true]]);
    await server.gql(RemoveSavedPaymentMethodDocument, { id: b.id }, token);
    expect(await list('ivan')).toEqual([]);
    expect(await rows('ivan')).toHaveLength(4);
    expect(await liveDefaults('ivan')).toEqual([]);
    // With nothing left, the next method saved is the default again.
    expect((await add('ivan', UPI)).isDefault).toBe(true);
  });
});

describe('limits', () => {
  it('refuses the 21st live method with CONFLICT; removed methods do not count', async () => {
    const token = await tokenFor('judy');
    const saved: SavedPaymentMethodFieldsFragment[] = [];
    for (let i = 0; i < 20; i += 1) saved.push(await add('judy', { ...CARD, last4: String(1000 + i) }));
    const refused = await server.gql(AddSavedPaymentMethodDocument, { input: UPI }, token);
    const error = onlyError(refused);
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(error.message).toMatch(/20 saved payment methods.*remove one/);
    expect(await rows('judy')).toHaveLength(20);
    await server.gql(RemoveSavedPaymentMethodDocument, { id: saved[5]!.id }, token);
    expect((await add('judy', UPI)).type).toBe('UPI');
    expect(await list('judy')).toHaveLength(20);
  });
});

describe('concurrency', () => {
  it('20 concurrent set-default calls on 20 methods: all succeed and exactly one default remains, the last one set', async () => {
    const token = await tokenFor('kim');
    const methods: SavedPaymentMethodFieldsFragment[] = [];
    for (let i = 0; i < 20; i += 1) methods.push(await add('kim', { ...UPI, vpa: `kim${i}@okaxis` }));
    for (let round = 0; round < 3; round += 1) {
      const responses = await Promise.all(methods.map((m) => server.gql(SetDefaultPaymentMethodDocument, { id: m.id }, token)));
      expect(responses.flatMap((r) => r.errors ?? [])).toEqual([]);
      expect(responses.every((r, i) => r.data!.setDefaultPaymentMethod.id === methods[i]!.id && r.data!.setDefaultPaymentMethod.isDefault)).toBe(true);
      const defaults = await liveDefaults('kim');
      expect(defaults).toHaveLength(1);
      // The last writer wins: the default was changed after every other row was last touched.
      const latest = Math.max(...(await rows('kim')).map((row) => row.updatedAt.getTime()));
      expect(defaults[0]!.updatedAt.getTime()).toBe(latest);
      expect((await list('kim'))[0]!.id).toBe(defaults[0]!.id);
    }
  });

  it('concurrent adds, set-defaults and removals keep exactly one default and the 20-method limit', async () => {
    const token = await tokenFor('leo');
    const adds = await Promise.all(
      Array.from({ length: 25 }, (_, i) => server.gql(AddSavedPaymentMethodDocument, { input: { ...UPI, vpa: `leo${i}@ybl`, isDefault: i % 3 === 0 } }, token)),
    );
    const added = adds.filter((r) => !r.errors).map((r) => r.data!.addSavedPaymentMethod);
    expect(added).toHaveLength(20);
    expect(adds.filter((r) => r.errors).map((r) => r.errors![0]!.extensions?.code)).toEqual(Array(5).fill('CONFLICT'));
    expect(await liveDefaults('leo')).toHaveLength(1);

    const mixed = await Promise.all(added.map((m, i) => i % 2 === 0
      ? server.gql(SetDefaultPaymentMethodDocument, { id: m.id }, token)
      : server.gql(RemoveSavedPaymentMethodDocument, { id: m.id }, token)));
    expect(mixed.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(await liveDefaults('leo')).toHaveLength(1);
    expect(await list('leo')).toHaveLength(10);
  });
});
