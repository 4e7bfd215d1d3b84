/**
 * botbuilder's `Storage` over the key-value store port: conversation state survives restarts and is shared by
 * every replica on the same database. An eTag given with a write is checked, but botbuilder's `BotState`
 * always saves with `*`, so the last writer wins: acceptable because every card action reads the ledger and
 * the customer again and never trusts the state.
 */
import type { Storage, StoreItems } from 'botbuilder';
import type { KeyValueStore } from '../core/state.js';

export class DurableStorage implements Storage {
  constructor(private readonly store: KeyValueStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const found = await this.store.read(keys);
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
    await this.store.write(items);
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.delete(keys);
  }
}
