/**
 * botbuilder's `Storage` over the durable key-value store: conversation and user state survive restarts and
 * are shared by every replica on the same database. eTags are honoured (optimistic concurrency).
 */
import type { Storage, StoreItems } from 'botbuilder';
import type { KeyValueStore } from '../storage/key-value-store.js';

export class DurableStorage implements Storage {
  constructor(private readonly store: KeyValueStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const found = this.store.read(keys);
    const items: StoreItems = {};
    for (const [key, { value, eTag }] of Object.entries(found)) {
      items[key] = { ...(value as Record<string, unknown>), eTag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const items = Object.entries(changes).map(([key, item]) => {
      const { eTag, ...value } = (item ?? {}) as { eTag?: string } & Record<string, unknown>;
      return { key, value, ...(eTag === undefined ? {} : { eTag }) };
    });
    this.store.write(items);
  }

  async delete(keys: string[]): Promise<void> {
    this.store.delete(keys);
  }
}
