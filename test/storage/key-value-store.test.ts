import { describe, expect, it } from 'vitest';
import { ETagConflictError } from '../../src/storage/key-value-store.js';
import { open, tempDir } from './support.js';

function conflictOf(run: () => unknown): ETagConflictError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ETagConflictError);
    return error as ETagConflictError;
  }
  throw new Error('expected an ETagConflictError');
}

describe('key-value store', () => {
  it('reads what was written, with an eTag; missing keys are absent', () => {
    const { state } = open(':memory:');
    expect(state.read(['a'])).toEqual({});
    const eTags = state.write([
      { key: 'a', value: { count: 1, nested: { list: [1, 'two'] } } },
      { key: 'b', value: 'text' },
    ]);
    expect(Object.keys(eTags)).toEqual(['a', 'b']);
    expect(state.read(['a', 'b', 'c'])).toEqual({
      a: { value: { count: 1, nested: { list: [1, 'two'] } }, eTag: eTags.a },
      b: { value: 'text', eTag: eTags.b },
    });
  });

  it('each write gives a new eTag; the current eTag lets a write through', () => {
    const { state } = open(':memory:');
    const first = state.write([{ key: 'k', value: 1 }]).k!;
    const second = state.write([{ key: 'k', value: 2, eTag: first }]).k!;
    expect(second).not.toBe(first);
    expect(state.read(['k']).k).toEqual({ value: 2, eTag: second });
  });

  it('a stale eTag throws ETagConflictError and nothing of the batch is written', () => {
    const { state } = open(':memory:');
    const eTags = state.write([
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1' },
    ]);
    const stale = eTags.b!;
    state.write([{ key: 'b', value: 'b2', eTag: stale }]);
    const before = state.read(['a', 'b', 'c']);

    const error = conflictOf(() =>
      state.write([
        { key: 'a', value: 'a2', eTag: eTags.a },
        { key: 'c', value: 'c1' },
        { key: 'b', value: 'b3', eTag: stale },
      ]),
    );
    expect(error.key).toBe('b');
    expect(error.expected).toBe(stale);
    expect(error.actual).toBe(before.b!.eTag);
    expect(state.read(['a', 'b', 'c'])).toEqual(before);
  });

  it('an eTag for a key that does not exist conflicts; "*", "" or no eTag write unconditionally', () => {
    const { state } = open(':memory:');
    const error = conflictOf(() => state.write([{ key: 'new', value: 1, eTag: 'some-etag' }]));
    expect(error.actual).toBeUndefined();
    expect(state.read(['new'])).toEqual({});

    state.write([{ key: 'new', value: 1, eTag: '*' }]);
    state.write([{ key: 'new', value: 2, eTag: '*' }]);
    state.write([{ key: 'new', value: 3, eTag: '' }]);
    state.write([{ key: 'new', value: 4 }]);
    expect(state.read(['new']).new?.value).toBe(4);
  });

  it('delete removes keys (missing ones are ignored); an old eTag then conflicts', () => {
    const { state } = open(':memory:');
    const eTags = state.write([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    state.delete(['a', 'missing']);
    expect(state.read(['a', 'b'])).toEqual({ b: { value: 2, eTag: eTags.b } });
    conflictOf(() => state.write([{ key: 'a', value: 3, eTag: eTags.a }]));
    state.delete([]);
  });

  it('a value JSON cannot hold fails the batch before anything is written', () => {
    const { state } = open(':memory:');
    expect(() =>
      state.write([
        { key: 'a', value: 1 },
        { key: 'b', value: undefined },
      ]),
    ).toThrow(/cannot be stored as JSON/);
    expect(state.read(['a'])).toEqual({});
  });

  it('keys are plain data, even odd ones', () => {
    const { state } = open(':memory:');
    state.write([{ key: '__proto__', value: { x: 1 } }]);
    const read = state.read(['__proto__']);
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['__proto__']);
  });

  it('is durable and shared: another connection on the same file reads the value and its eTag', () => {
    const dataDir = tempDir();
    const a = open(dataDir);
    const b = open(dataDir);
    const eTag = a.state.write([{ key: 'conv/1', value: { step: 'confirm' } }])['conv/1']!;
    expect(b.state.read(['conv/1'])).toEqual({ 'conv/1': { value: { step: 'confirm' }, eTag } });
    // b writes first with the eTag both read; a's write with the same eTag now conflicts.
    b.state.write([{ key: 'conv/1', value: { step: 'done' }, eTag }]);
    conflictOf(() => a.state.write([{ key: 'conv/1', value: { step: 'cancel' }, eTag }]));
    a.close();
    expect(open(dataDir).state.read(['conv/1'])['conv/1']?.value).toEqual({ step: 'done' });
  });
});
