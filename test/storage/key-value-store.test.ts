import { describe, expect, it } from 'vitest';
import { ETagConflictError } from '../../src/core/state.js';
import { open, tempDir } from './support.js';

async function conflictOf(write: Promise<unknown>): Promise<ETagConflictError> {
  const error: unknown = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ETagConflictError);
  return error as ETagConflictError;
}

describe('key-value store', () => {
  it('reads what was written, with an eTag; missing keys are absent', async () => {
    const { state } = open(':memory:');
    expect(await state.read(['a'])).toEqual({});
    const eTags = await state.write([
      { key: 'a', value: { count: 1, nested: { list: [1, 'two'] } } },
      { key: 'b', value: 'text' },
    ]);
    expect(Object.keys(eTags)).toEqual(['a', 'b']);
    expect(await state.read(['a', 'b', 'c'])).toEqual({
      a: { value: { count: 1, nested: { list: [1, 'two'] } }, eTag: eTags.a },
      b: { value: 'text', eTag: eTags.b },
    });
  });

  it('each write gives a new eTag; the current eTag lets a write through', async () => {
    const { state } = open(':memory:');
    const first = (await state.write([{ key: 'k', value: 1 }])).k!;
    const second = (await state.write([{ key: 'k', value: 2, eTag: first }])).k!;
    expect(second).not.toBe(first);
    expect((await state.read(['k'])).k).toEqual({ value: 2, eTag: second });
  });

  it('a stale eTag rejects with ETagConflictError and nothing of the batch is written', async () => {
    const { state } = open(':memory:');
    const eTags = await state.write([
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1' },
    ]);
    const stale = eTags.b!;
    await state.write([{ key: 'b', value: 'b2', eTag: stale }]);
    const before = await state.read(['a', 'b', 'c']);

    const error = await conflictOf(
      state.write([
        { key: 'a', value: 'a2', eTag: eTags.a },
        { key: 'c', value: 'c1' },
        { key: 'b', value: 'b3', eTag: stale },
      ]),
    );
    expect(error.key).toBe('b');
    expect(error.expected).toBe(stale);
    expect(error.actual).toBe(before.b!.eTag);
    expect(await state.read(['a', 'b', 'c'])).toEqual(before);
  });

  it('an eTag for a key that does not exist conflicts; "*", "" or no eTag write unconditionally', async () => {
    const { state } = open(':memory:');
    const error = await conflictOf(state.write([{ key: 'new', value: 1, eTag: 'some-etag' }]));
    expect(error.actual).toBeUndefined();
    expect(await state.read(['new'])).toEqual({});

    await state.write([{ key: 'new', value: 1, eTag: '*' }]);
    await state.write([{ key: 'new', value: 2, eTag: '*' }]);
    await state.write([{ key: 'new', value: 3, eTag: '' }]);
    await state.write([{ key: 'new', value: 4 }]);
    expect((await state.read(['new'])).new?.value).toBe(4);
  });

  it('delete removes keys (missing ones are ignored); an old eTag then conflicts', async () => {
    const { state } = open(':memory:');
    const eTags = await state.write([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    await state.delete(['a', 'missing']);
    expect(await state.read(['a', 'b'])).toEqual({ b: { value: 2, eTag: eTags.b } });
    await conflictOf(state.write([{ key: 'a', value: 3, eTag: eTags.a }]));
    await state.delete([]);
    expect(await state.read(['b'])).toEqual({ b: { value: 2, eTag: eTags.b } });
  });

  it('a value JSON cannot hold fails the batch before anything is written', async () => {
    const { state } = open(':memory:');
    await expect(
      state.write([
        { key: 'a', value: 1 },
        { key: 'b', value: undefined },
      ]),
    ).rejects.toThrow(/cannot be stored as JSON/);
    expect(await state.read(['a'])).toEqual({});
  });

  it('keys are plain data, even odd ones', async () => {
    const { state } = open(':memory:');
    await state.write([{ key: '__proto__', value: { x: 1 } }]);
    const read = await state.read(['__proto__']);
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['__proto__']);
  });

  it('is durable and shared: another connection on the same file reads the value and its eTag', async () => {
    const dataDir = tempDir();
    const a = open(dataDir);
    const b = open(dataDir);
    const eTag = (await a.state.write([{ key: 'conv/1', value: { step: 'confirm' } }]))['conv/1']!;
    expect(await b.state.read(['conv/1'])).toEqual({ 'conv/1': { value: { step: 'confirm' }, eTag } });
    // b writes first with the eTag both read; a's write with the same eTag now conflicts.
    await b.state.write([{ key: 'conv/1', value: { step: 'done' }, eTag }]);
    await conflictOf(a.state.write([{ key: 'conv/1', value: { step: 'cancel' }, eTag }]));
    a.close();
    expect((await open(dataDir).state.read(['conv/1']))['conv/1']?.value).toEqual({ step: 'done' });
  });
});

describe('retention', () => {
  it('prune deletes the values last written before the cutoff, and only those', async () => {
    let now = new Date('2025-01-01T00:00:00.000Z');
    const store = open(':memory:', { now: () => now });
    await store.state.write([{ key: 'old', value: { a: 1 } }]);
    now = new Date('2025-03-01T00:00:00.000Z');
    await store.state.write([{ key: 'new', value: { b: 2 } }]);
    expect(await store.state.prune(new Date('2025-02-01T00:00:00.000Z'))).toBe(1);
    expect(Object.keys(await store.state.read(['old', 'new']))).toEqual(['new']);
  });
});
