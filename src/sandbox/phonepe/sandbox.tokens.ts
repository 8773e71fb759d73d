/** The sandbox's OAuth tokens: issued, checked, revoked (as after PhonePe revoked them). */
import { randomBytes } from 'node:crypto';
import type { WireToken } from '../../gateways/phonepe/phonepe.wire.js';
import { SCHEMA, type SandboxDb } from './sandbox.db.js';

export class TokenStore {
  constructor(private readonly db: SandboxDb) {}

  async issueToken(clientId: string, ttlSeconds: number): Promise<WireToken & Record<string, unknown>> {
    const now = Math.floor(Date.now() / 1000);
    const token = randomBytes(24).toString('base64url');
    await this.db.query(`insert into ${SCHEMA}.tokens (access_token, client_id, issued_at, expires_at) values ($1, $2, to_timestamp($3), to_timestamp($4))`, [
      token, clientId, now, now + ttlSeconds,
    ]);
    return {
      access_token: token,
      encrypted_access_token: token,
      expires_in: null,
      issued_at: now,
      expires_at: now + ttlSeconds,
      session_expires_at: now + ttlSeconds,
      token_type: 'O-Bearer',
    };
  }

  async isTokenValid(token: string): Promise<boolean> {
    const { rowCount } = await this.db.query(`select 1 from ${SCHEMA}.tokens where access_token = $1 and expires_at > now()`, [token]);
    return rowCount === 1;
  }

  /** Every token stops working, as after PhonePe revoked them: the adapter's next call gets a 401. */
  async revokeTokens(): Promise<void> {
    await this.db.query(`update ${SCHEMA}.tokens set expires_at = now() - interval '1 second'`);
  }

  async tokensIssued(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(`select count(*)::text as n from ${SCHEMA}.tokens`);
    return Number(rows[0]!.n);
  }
}
