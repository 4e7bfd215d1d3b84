/**
 * The requests being processed, for a graceful shutdown: once closing, new requests are turned away, and the
 * shutdown waits (for a bounded time) until the ones in flight have finished.
 */
export class InFlight {
  private count = 0;
  private closing = false;
  private idle: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Runs `work` as one request in flight. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await work();
    } finally {
      this.count--;
      if (this.count === 0) {
        const waiting = this.idle;
        this.idle = [];
        for (const resolve of waiting) resolve();
      }
    }
  }

  /** From now on, new requests are turned away. */
  close(): void {
    this.closing = true;
  }

  /** Resolves true when nothing is in flight, or false after `timeoutMs` if something still is. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idle = this.idle.filter((r) => r !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idle.push(done);
    });
  }
}
