/**
 * A per-key token bucket: `limit` actions per `windowMs`, refilled continuously, so a burst of `limit` is
 * allowed and a steady flood gets `limit` per window. Memory is bounded: idle keys (full buckets) are dropped
 * first, then the oldest.
 */
interface RateLimiterOptions {
  readonly limit: number;
  readonly windowMs: number;
  /** The most keys kept (default 10,000). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

type RateDecision =
  | { readonly allowed: true }
  /** `notify`: the first refusal of this key in a window, worth telling the user about. */
  | { readonly allowed: false; readonly notify: boolean };

interface Bucket {
  tokens: number;
  updated: number;
  notifiedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly perMs: number;

  constructor(private readonly options: RateLimiterOptions) {
    if (options.limit < 1 || options.windowMs <= 0) throw new Error('RateLimiter: limit ≥ 1, windowMs > 0');
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? (() => performance.now());
    this.perMs = options.limit / options.windowMs;
  }

  take(key: string): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.makeRoom(now);
      bucket = { tokens: this.options.limit, updated: now, notifiedAt: -Infinity };
      this.buckets.set(key, bucket);
    } else {
      this.refill(bucket, now);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const notify = now - bucket.notifiedAt >= this.options.windowMs;
    if (notify) bucket.notifiedAt = now;
    return { allowed: false, notify };
  }

  get size(): number {
    return this.buckets.size;
  }

  private refill(bucket: Bucket, now: number): void {
    bucket.tokens = Math.min(this.options.limit, bucket.tokens + (now - bucket.updated) * this.perMs);
    bucket.updated = now;
  }

  private makeRoom(now: number): void {
    if (this.buckets.size < this.maxKeys) return;
    for (const [key, bucket] of this.buckets) {
      this.refill(bucket, now);
      if (bucket.tokens >= this.options.limit) this.buckets.delete(key);
    }
    // Still full of active keys: drop the oldest.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
