// Client-side rate limiting, so a sync stays under a vendor's published limits instead of relying on 429s.
//
// Buckets live in process memory: two replicas of a worker each get the full rate. Size `tokensPerSecond`
// for one replica, or divide the vendor's limit by the replica count; a shared (Redis) limiter is a later
// step if a vendor's limit turns out to be tight.

export interface TokenBucketOptions {
  /** Sustained rate. */
  tokensPerSecond: number;
  /** Tokens available at once after an idle period. Default 1 (strict spacing). */
  burst?: number;
}

export interface Clock {
  now(): number;
}

const systemClock: Clock = { now: () => performance.now() };

export class TokenBucket {
  #tokensPerSecond: number;
  #burst: number;
  // May go negative: each waiting caller has reserved one token, which makes waiters first-in first-out.
  #tokens: number;
  #updatedAt: number;
  readonly #clock: Clock;

  constructor(options: TokenBucketOptions, clock: Clock = systemClock) {
    this.#clock = clock;
    this.#tokensPerSecond = 0;
    this.#burst = 0;
    this.#tokens = 0;
    this.#updatedAt = clock.now();
    this.configure(options);
    // A new bucket starts full: the first `burst` requests go out at once.
    this.#tokens = this.#burst;
  }

  /** Changes the rate and burst, keeping the tokens already earned (capped at the new burst). */
  configure(options: TokenBucketOptions): void {
    const burst = options.burst ?? 1;
    if (!(options.tokensPerSecond > 0) || !Number.isFinite(options.tokensPerSecond)) {
      throw new RangeError(`tokensPerSecond must be a positive number, got ${options.tokensPerSecond}`);
    }
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be ≥ 1, got ${burst}`);
    this.#refill();
    this.#tokensPerSecond = options.tokensPerSecond;
    this.#burst = burst;
    this.#tokens = Math.min(this.#tokens, burst);
  }

  get tokensPerSecond(): number {
    return this.#tokensPerSecond;
  }

  get burst(): number {
    return this.#burst;
  }

  /** Tokens available now; negative when callers are waiting. */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes a token if one is available now, without waiting. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * Reserves a token and returns how long the caller must wait before using it (0 when one is available).
   * Used by `take`; exposed so callers can report the wait.
   */
  reserve(): number {
    this.#refill();
    this.#tokens -= 1;
    if (this.#tokens >= 0) return 0;
    return Math.ceil((-this.#tokens / this.#tokensPerSecond) * 1000);
  }

  /** Gives back a reserved token that will not be used (the caller was cancelled while waiting). */
  release(): void {
    this.#refill();
    this.#tokens = Math.min(this.#burst, this.#tokens + 1);
  }

  /** Waits until a token is available and takes it. Resolves to the time waited in milliseconds. */
  async take(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const waitMs = this.reserve();
    if (waitMs === 0) return 0;
    try {
      await sleep(waitMs, signal);
    } catch (error) {
      this.release();
      throw error;
    }
    return waitMs;
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedSeconds * this.#tokensPerSecond);
    this.#updatedAt = now;
  }
}

/** Buckets by key (an account id, a token hint), so every client of one vendor account shares one rate. */
export class TokenBucketRegistry {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** Returns the bucket of the key, created on first use; later calls update its rate and burst. */
  bucket(key: string, options: TokenBucketOptions): TokenBucket {
    const existing = this.#buckets.get(key);
    if (existing) {
      if (existing.tokensPerSecond !== options.tokensPerSecond || existing.burst !== (options.burst ?? 1)) {
        existing.configure(options);
      }
      return existing;
    }
    const bucket = new TokenBucket(options, this.#clock);
    this.#buckets.set(key, bucket);
    return bucket;
  }

  delete(key: string): boolean {
    return this.#buckets.delete(key);
  }

  clear(): void {
    this.#buckets.clear();
  }

  get size(): number {
    return this.#buckets.size;
  }
}

/** The process-wide registry used by every `VendorHttpClient` unless one is given. */
export const sharedTokenBucketRegistry = new TokenBucketRegistry();

/** Resolves after `ms`, or rejects with the signal's reason when it is aborted first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
