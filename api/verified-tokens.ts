/**
 * Tokens already verified, so a client's every request does not pay for the
 * signature again (HMAC or RSA/EC through WebCrypto is most of the cost of a
 * cheap read). Only successes are kept, keyed by the whole token string: the
 * same string verified under the same key always verifies the same way, and
 * a token that was valid stays valid until it expires, which is checked on
 * every use with the same skew allowance as the full check. Bounded in count
 * and token length, oldest out first; a token that was used is moved to the
 * back, so the people working right now stay in.
 */
import type { Actor } from '../domain/types';

export const VERIFIED_TOKENS_MAX = 5000;
/** longer tokens are verified every time rather than kept: the cache stays under ~10 MiB */
export const VERIFIED_TOKEN_MAX_CHARS = 2048;

interface Verified {
  actor: Actor;
  /** seconds since the epoch (the token's `exp`, required) */
  exp: number;
}

export class VerifiedTokens {
  private readonly entries = new Map<string, Verified>();

  constructor(
    private readonly skewSeconds: number,
    private readonly max = VERIFIED_TOKENS_MAX,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The token's actor when it was verified before; 'expired' when it was and has expired since. */
  get(token: string, nowMs = Date.now()): Actor | 'expired' | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    this.entries.delete(token);
    // jose's rule with its clock tolerance: expired once exp <= now - skew
    if (hit.exp <= Math.floor(nowMs / 1000) - this.skewSeconds) return 'expired';
    this.entries.set(token, hit);
    return hit.actor;
  }

  put(token: string, actor: Actor, exp: number): void {
    if (token.length > VERIFIED_TOKEN_MAX_CHARS || this.max <= 0) return;
    this.entries.delete(token);
    while (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { actor: Object.freeze({ ...actor }), exp });
  }
}
