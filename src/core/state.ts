/**
 * The key-value store port behind the bot's conversation state: JSON values with an eTag. The bot wraps it as
 * a botbuilder `Storage`; adapters know nothing of botbuilder.
 */
export interface StoredValue {
  readonly value: unknown;
  readonly eTag: string;
}

export interface WriteItem {
  readonly key: string;
  /** Anything `JSON.stringify` can store (not `undefined`). */
  readonly value: unknown;
  /** Absent, '' or '*': write unconditionally. Otherwise the eTag the value was read with. */
  readonly eTag?: string;
}

export interface KeyValueStore {
  /** The stored values of the keys that exist; missing keys are absent from the result. */
  read(keys: readonly string[]): Promise<Record<string, StoredValue>>;
  /**
   * Writes all the items or none: an item whose eTag does not match the stored one (or whose row is missing
   * while an eTag other than '*' is given) rejects with an `ETagConflictError` and nothing is written.
   * Resolves with the new eTag of each key written.
   */
  write(items: readonly WriteItem[]): Promise<Record<string, string>>;
  /** Deletes the keys (missing keys are ignored). */
  delete(keys: readonly string[]): Promise<void>;
  /** Deletes the values last written before `before`; resolves with how many. */
  prune(before: Date): Promise<number>;
}

/** A write whose eTag is stale: someone else wrote (or deleted) the value since it was read. */
export class ETagConflictError extends Error {
  constructor(
    readonly key: string,
    /** The eTag the write was made with. */
    readonly expected: string,
    /** The stored eTag, `undefined` when the key does not exist. */
    readonly actual: string | undefined,
  ) {
    super(
      actual === undefined
        ? `Storage: "${key}" was written with eTag "${expected}" but it does not exist (any more)`
        : `Storage: "${key}" was written with eTag "${expected}" but it has eTag "${actual}" now`,
    );
    this.name = 'ETagConflictError';
  }
}
