/**
 * The OAuth token PhonePe wants on every call (`Authorization: O-Bearer <token>`), cached per
 * adapter and refreshed before it expires, one fetch at a time.
 *
 * Why not the SDK's TokenService: its cache is a static field shared by every client in the
 * process (two adapters with different credentials would send each other's token), it keeps
 * using an expired token when a refresh fails, and it `console.warn`s the raw axios error, whose
 * `config.data` is the form body with the client secret. The rule below is the SDK's otherwise:
 * refresh once half the token's life has passed.
 */
import { parseWireToken } from './phonepe.mappers.js';

interface CachedToken {
  header: string;
  /** Local clock, ms: refresh from here on. */
  refreshAt: number;
  /** Local clock, ms: never sent after this. */
  expiresAt: number;
}

/** A token is not sent in its last seconds: it could expire on the way. */
const EXPIRY_MARGIN_MS = 10_000;

export class PhonePeTokenCache {
  #token: CachedToken | null = null;
  #inflight: Promise<CachedToken> | null = null;

  /** `fetchToken` POSTs the form to `/v1/oauth/token` and answers the parsed JSON body. */
  constructor(
    private readonly fetchToken: () => Promise<unknown>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The header value; fetches a token when there is none or half its life has passed. */
  async authorizationHeader(): Promise<string> {
    const now = this.clock();
    const current = this.#token;
    if (current && now < current.refreshAt) return current.header;
    try {
      return (await this.#refresh()).header;
    } catch (error) {
      // A failed early refresh is not an outage while the old token is still good.
      if (current && this.clock() < current.expiresAt - EXPIRY_MARGIN_MS) return current.header;
      throw error;
    }
  }

  /** After a 401: the token was refused, so it is dropped and a new one fetched. */
  async forceRefresh(): Promise<void> {
    this.#token = null;
    await this.#refresh();
  }

  /** Single flight: concurrent callers share one token request. */
  #refresh(): Promise<CachedToken> {
    this.#inflight ??= (async () => {
      try {
        const requestedAt = this.clock();
        const wire = parseWireToken(await this.fetchToken());
        // Times are measured on our clock from the token's lifetime, so a skewed clock at
        // either end does not make a fresh token look expired (or an old one fresh).
        const lifetimeMs = Math.max(0, wire.expires_at - wire.issued_at) * 1000;
        const token: CachedToken = {
          header: `${wire.token_type} ${wire.access_token}`,
          refreshAt: requestedAt + lifetimeMs / 2,
          expiresAt: requestedAt + lifetimeMs,
        };
        this.#token = token;
        return token;
      } finally {
        this.#inflight = null;
      }
    })();
    return this.#inflight;
  }
}
