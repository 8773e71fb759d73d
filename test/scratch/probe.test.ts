import 'reflect-metadata';
import { afterAll, beforeAll, it } from 'vitest';
import { print } from 'graphql';
import { PaymentsDocument, TransactionsDocument, PaymentDocument } from '../graphql/generated.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
let server: TestServer;
beforeAll(async () => { server = await startTestServer(); });
afterAll(async () => { await server?.close(); });
it('probe', async () => {
  const t = await server.token('alice');
  const admin = await server.token('root', 'admin');
  const send = async (doc: unknown, variables: unknown, tok: string) => {
    const r = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` }, body: JSON.stringify({ query: print(doc as never), variables }) });
    const body = await r.json();
    console.log(JSON.stringify(variables).slice(0, 80), r.status, JSON.stringify(body.errors ?? body.data).slice(0, 400));
  };
  await send(PaymentsDocument, { filter: { payerId: 'x'.repeat(65) } }, t);
  await send(PaymentsDocument, { filter: { reference: 'a\u0000' } }, t);
  await send(PaymentsDocument, { filter: { payerId: 'a\u0000' } }, admin);
  await send(PaymentsDocument, { first: 0 }, t);
  await send(PaymentsDocument, { first: 1000 }, t);
  await send(PaymentsDocument, { after: 'garbage' }, t);
  await send(PaymentsDocument, { filter: { createdFrom: 'yesterday' } }, t);
  await send(TransactionsDocument, { filter: { userId: 'a\u0000' } }, admin);
  await send(TransactionsDocument, { filter: { userId: 'bob' } }, t);
  await send(PaymentDocument, { id: 'a\u0000' }, t);
  await send(PaymentDocument, { id: '00000000-0000-0000-0000-000000000000' }, t);
});
