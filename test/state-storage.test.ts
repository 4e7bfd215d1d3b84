/** botbuilder's own state classes over the durable storage: values persist, eTags are honoured. */
import { ConversationState, TestAdapter, TurnContext, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { DurableStorage } from '../src/bot/state-storage.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { openStore } from '../src/storage/store.js';

function context(adapter: TestAdapter, conversationId: string): TurnContext {
  return new TurnContext(adapter, {
    type: 'message',
    channelId: 'test',
    conversation: { id: conversationId } as Activity['conversation'],
    from: { id: 'u', name: 'u' },
    recipient: { id: 'b', name: 'b' },
  });
}

describe('DurableStorage', () => {
  it('keeps conversation state across state instances (a restart) and honours eTags', async () => {
    const store = openStore({ dataDir: ':memory:', seed: loadDemoDirectory() });
    const storage = new DurableStorage(store.state);
    const adapter = new TestAdapter(async () => undefined);

    const first = new ConversationState(storage);
    const prop = first.createProperty<string>('lastCustomerId');
    const ctx = context(adapter, 'c1');
    await prop.set(ctx, 'contoso');
    await first.saveChanges(ctx);

    const second = new ConversationState(storage);
    const ctx2 = context(adapter, 'c1');
    expect(await second.createProperty<string>('lastCustomerId').get(ctx2)).toBe('contoso');

    // A stale write (an eTag read before another write) is refused.
    const [key] = Object.keys(await storage.read(['test/conversations/c1/']));
    const read = await storage.read([key!]);
    await storage.write({ [key!]: { ...read[key!], value: 1 } });
    await expect(storage.write({ [key!]: { ...read[key!], value: 2 } })).rejects.toThrow(/eTag/);
    await storage.write({ [key!]: { value: 3, eTag: '*' } });
    expect((await storage.read([key!]))[key!]).toMatchObject({ value: 3 });
    await storage.delete([key!]);
    expect(await storage.read([key!])).toEqual({});
    store.close();
  });
});
