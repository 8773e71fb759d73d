import { webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { LRUCache } from 'lru-cache';

export type Role = 'customer' | 'admin' | 'service';
export const ROLES: readonly Role[] = ['customer', 'admin', 'service'];

export interface AuthUser {
  id: string;
  role: Role;
}

/** The outcome of reading a bearer token: who it is, nobody, or why the token was refused. */
export type Authentication = { user: AuthUser } | { user: null; error: string | null };

const encoder = new TextEncoder();
const MAX_SUBJECT_LENGTH = 64;

/**
 * The HMAC key of each secret, imported into WebCrypto once: jose imports a raw secret on every
 * verification otherwise, which was a measurable share of a request's CPU time.
 */
const verifyKeys = new Map<string, Promise<webcrypto.CryptoKey>>();
function verifyKey(secret: string): Promise<webcrypto.CryptoKey> {
  let key = verifyKeys.get(secret);
  if (!key) {
    key = webcrypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    verifyKeys.set(secret, key);
  }
  return key;
}

/** How many verified tokens each secret remembers (a client sends the same token on every request). */
const VERIFIED_TOKENS = 10_000;

/**
 * Tokens already verified with a secret, each kept until its `exp` (its entry's ttl) and no
 * longer: the HMAC check (WebCrypto, an asynchronous job per request) was ~7 % of createOrder's
 * CPU time (issue 11). Only successes are kept; the same string with the same secret verifies
 * the same way until it expires, which is checked again on every hit.
 */
const verifiedTokens = new Map<string, LRUCache<string, { user: AuthUser; expiresAtMs: number }>>();
function verifiedWith(secret: string): LRUCache<string, { user: AuthUser; expiresAtMs: number }> {
  let cache = verifiedTokens.get(secret);
  if (!cache) {
    cache = new LRUCache({ max: VERIFIED_TOKENS });
    verifiedTokens.set(secret, cache);
  }
  return cache;
}

/** Staff (admin, service) see and act on everyone's data; customers only on their own. */
export function isStaff(user: AuthUser): boolean {
  return user.role === 'admin' || user.role === 'service';
}

/** Signs an HS256 token (development tokens and tests; production tokens come from your IdP). */
export async function signToken(user: AuthUser, secret: string, expiresIn: string | number = '12h'): Promise<string> {
  return new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(encoder.encode(secret));
}

/**
 * Verifies an `Authorization` header value. Only HS256 is accepted (no `alg: none`, no key
 * confusion); `sub` is the user id and `role` defaults to customer.
 */
export async function authenticate(header: string | undefined | null, secret: string): Promise<Authentication> {
  if (!header) return { user: null, error: null };
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) return { user: null, error: 'Authorization must be "Bearer <token>"' };
  const token = match[1]!;
  const cache = verifiedWith(secret);
  const known = cache.get(token);
  if (known && Date.now() < known.expiresAtMs) return { user: known.user };
  try {
    // Every token must expire: a leaked token without `exp` would be valid forever.
    const { payload } = await jwtVerify(token, await verifyKey(secret), { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) {
      return { user: null, error: `token's sub claim must be a user id of 1 to ${MAX_SUBJECT_LENGTH} characters` };
    }
    const role = payload.role ?? 'customer';
    if (!ROLES.includes(role as Role)) {
      return { user: null, error: `token's role claim must be one of ${ROLES.join(', ')}` };
    }
    const user: AuthUser = { id: sub, role: role as Role };
    // jose checked exp against now (with no clock tolerance): the entry lasts until then.
    const expiresAtMs = payload.exp! * 1000;
    cache.set(token, { user, expiresAtMs }, { ttl: Math.max(1, expiresAtMs - Date.now()) });
    return { user };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return { user: null, error: 'token has expired: sign in again' };
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      return { user: null, error: `token's ${error.claim} claim is not acceptable: ${error.reason === 'missing' ? 'it is missing' : error.message}` };
    }
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      return { user: null, error: 'token signature is invalid (signed with another secret?)' };
    }
    return { user: null, error: 'token is malformed or not an HS256 JWT' };
  }
}
