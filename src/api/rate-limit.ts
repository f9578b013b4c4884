/**
 * The brake on wrong tokens: checking a token's secret costs a scrypt (tens
 * of milliseconds of CPU), and whoever sends wrong ones chooses how many.
 *
 * Per client address, within a window of WINDOW_MS from its first failure:
 * - a token that already failed from this address is refused again from
 *   memory (401, no check; a token string that failed can never pass:
 *   secrets are fixed, and expiry and revocation are final);
 * - after LIMIT different tokens failed, the address is answered 429 (with
 *   Retry-After) without checking anything, until the window has passed.
 * A token this server has already verified still gets in (its check is a
 * cached lookup, not a scrypt): a client behind the same address or proxy as
 * a guesser keeps working. Only digests are kept, never a token.
 */
import { createHash } from "node:crypto";

/** Different wrong tokens allowed per address within one window. */
export const FAILED_AUTH_LIMIT = 10;
/** The window (milliseconds), counted from the first failure in it. */
export const FAILED_AUTH_WINDOW_MS = 60_000;
/** Addresses (and verified tokens) remembered at most: a flood cannot grow memory without end. */
const MAX_ENTRIES = 10_000;

interface Failures {
  since: number;
  /** SHA-256 of each different token that failed. */
  tokens: Set<string>;
}

/** What to do with a request's token before checking it. */
export type Verdict = { check: true } | { check: false; status: 401 } | { check: false; status: 429; retryAfter: number };

export class FailedAuthLimiter {
  private readonly byAddress = new Map<string, Failures>();
  /** SHA-256 of the tokens that passed a check here. */
  private readonly verified = new Set<string>();

  constructor(
    private readonly limit = FAILED_AUTH_LIMIT,
    private readonly windowMs = FAILED_AUTH_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `token` from `address` should be checked, or the answer it gets without a check. */
  before(address: string, token: string): Verdict {
    const key = digest(token);
    if (this.verified.has(key)) return { check: true };
    const f = this.current(address);
    if (!f) return { check: true };
    if (f.tokens.has(key)) return { check: false, status: 401 };
    if (f.tokens.size < this.limit) return { check: true };
    return { check: false, status: 429, retryAfter: Math.max(1, Math.ceil((f.since + this.windowMs - this.now()) / 1000)) };
  }

  /** The token from `address` failed its check. */
  failed(address: string, token: string): void {
    const f = this.current(address);
    if (f) {
      f.tokens.add(digest(token));
      return;
    }
    if (this.byAddress.size >= MAX_ENTRIES) this.prune();
    this.byAddress.set(address, { since: this.now(), tokens: new Set([digest(token)]) });
  }

  /** The token passed its check. */
  succeeded(token: string): void {
    if (this.verified.size >= MAX_ENTRIES) this.verified.clear();
    this.verified.add(digest(token));
  }

  /** The address's failures in the window still running, if any. */
  private current(address: string): Failures | undefined {
    const f = this.byAddress.get(address);
    if (f && this.now() - f.since >= this.windowMs) {
      this.byAddress.delete(address);
      return undefined;
    }
    return f;
  }

  /** Forget windows that have passed (and, if every one is current, the oldest). */
  private prune(): void {
    const now = this.now();
    for (const [address, f] of this.byAddress) if (now - f.since >= this.windowMs) this.byAddress.delete(address);
    if (this.byAddress.size >= MAX_ENTRIES) this.byAddress.delete(this.byAddress.keys().next().value as string);
  }
}

function digest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
