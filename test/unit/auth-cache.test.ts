/**
 * authenticate() remembers the tokens it verified (issue 11): a remembered token still expires
 * on time, and only the same string with the same secret is spared the signature check.
 */
import { expect, it } from 'vitest';
import { authenticate, signToken } from '../../src/auth/auth.js';
import { eventually } from '../helpers/server.js';

const SECRET = 'auth-cache-secret-auth-cache-secret-0001';
const OTHER = 'auth-cache-other-secret-auth-cache-0002';

it('a verified token is answered again, and refused once it expires', async () => {
  const exp = Math.floor(Date.now() / 1000) + 2;
  const token = await signToken({ id: 'cached-user', role: 'admin' }, SECRET, exp);
  expect(await authenticate(`Bearer ${token}`, SECRET)).toEqual({ user: { id: 'cached-user', role: 'admin' } });
  expect(await authenticate(`Bearer ${token}`, SECRET)).toEqual({ user: { id: 'cached-user', role: 'admin' } });
  await eventually(() => Date.now() >= exp * 1000, 5_000, 'the token to expire');
  expect(await authenticate(`Bearer ${token}`, SECRET)).toEqual({ user: null, error: 'token has expired: sign in again' });
});

it('a remembered token is not accepted with another secret, nor with its signature changed', async () => {
  const token = await signToken({ id: 'cached-user-2', role: 'customer' }, SECRET);
  expect((await authenticate(`Bearer ${token}`, SECRET)).user).toEqual({ id: 'cached-user-2', role: 'customer' });
  expect(await authenticate(`Bearer ${token}`, OTHER)).toEqual({ user: null, error: 'token signature is invalid (signed with another secret?)' });
  const [header, payload, signature] = token.split('.');
  const tampered = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
  expect((await authenticate(`Bearer ${tampered}`, SECRET)).user).toBeNull();
  // A claim changed (admin instead of customer) under the remembered signature: a new string, checked again.
  const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' })).toString('base64url')}.${signature}`;
  expect((await authenticate(`Bearer ${forged}`, SECRET)).user).toBeNull();
});
