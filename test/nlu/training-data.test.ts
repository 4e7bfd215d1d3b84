/** The training utterances and the labelled test corpus are well-formed, and the corpus is not trained on. */
import { describe, expect, it } from 'vitest';
import { CUSTOMER_TOKEN, INTENTS, LANGUAGES, PLAN_TOKEN } from '../../src/bot/nlu/classifier.js';
import { findPlans } from '../../src/bot/nlu/plans.js';
import { TRAINING_DATA, exampleText } from '../../src/bot/nlu/training.js';
import { fold } from '../../src/directory/name-normalize.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { loadCorpus } from './evaluate.js';

/** For comparing sentences: folded, customer braces and punctuation removed, spaces collapsed. */
function comparable(text: string): string {
  return fold(text)
    .replace(/[{}]/g, '')
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe.each(LANGUAGES)('training utterances (%s)', (language) => {
  const data = TRAINING_DATA[language];

  it('has 20 or more varied examples for every intent', () => {
    for (const intent of INTENTS) {
      const examples = data[intent];
      expect(examples.length, intent).toBeGreaterThanOrEqual(20);
      expect(new Set(examples.map(comparable)).size, `${intent}: duplicates`).toBe(examples.length);
    }
  });

  it('gives no sentence two intents', () => {
    const seen = new Map<string, string>();
    for (const intent of INTENTS) {
      for (const u of data[intent]) {
        const key = comparable(u);
        expect(seen.get(key) ?? intent, u).toBe(intent);
        seen.set(key, intent);
      }
    }
  });

  it('marks at most one customer per sentence, never a plan, in questions about a customer or small talk', () => {
    for (const intent of INTENTS) {
      for (const u of data[intent]) {
        const marks = [...u.matchAll(/\{([^{}]*)\}/g)];
        expect(marks.length, u).toBeLessThanOrEqual(1);
        expect(u.replace(/\{[^{}]*\}/g, ''), u).not.toMatch(/[{}]/);
        const name = marks[0]?.[1];
        if (name !== undefined) {
          expect(name.trim().length, u).toBeGreaterThan(0);
          expect(findPlans(name), u).toEqual([]);
          // Small talk with a name ("call {Sarah}") teaches that a name alone is not a question about a customer.
          expect(
            ['eligibility', 'upgrade', 'history', 'refresh', 'addLicences', 'removeLicences', 'none'],
            u,
          ).toContain(intent);
        }
      }
    }
  });

  it('trains on the placeholders the understander uses', () => {
    for (const intent of INTENTS) {
      for (const u of data[intent]) {
        const text = exampleText(u);
        expect(text.split(CUSTOMER_TOKEN).length - 1, u).toBe(u.includes('{') ? 1 : 0);
        expect(text.split(PLAN_TOKEN).length - 1, u).toBe(findPlans(u.replace(/\{[^{}]*\}/g, '')).length);
      }
    }
  });
});

describe.each(LANGUAGES)('test corpus (%s)', (language) => {
  const corpus = loadCorpus(language);

  it('has at least 60 labelled utterances, covering every intent', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    for (const intent of INTENTS) {
      expect(corpus.filter((e) => e.intent === intent).length, intent).toBeGreaterThanOrEqual(5);
    }
  });

  it('is not in the training data (of any language)', () => {
    const trained = new Set(
      LANGUAGES.flatMap((l) => INTENTS.flatMap((i) => TRAINING_DATA[l][i].map(comparable))),
    );
    const overlap = corpus.filter((e) => trained.has(comparable(e.text))).map((e) => e.text);
    expect(overlap).toEqual([]);
  });

  it('has no duplicates and names only customers of the demo directory', () => {
    // A multi-turn case is its messages, in order: the same last message may follow other ones.
    const cases = corpus.map((e) => [...(e.after ?? []), e.text].map(comparable).join(' / '));
    expect(new Set(cases).size).toBe(corpus.length);
    const names = new Set(loadDemoDirectory().customers.map((c) => c.companyProfile.companyName));
    for (const e of corpus) if (e.customer != null) expect(names, e.text).toContain(e.customer);
  });

  it('labels entities only where the intent carries them', () => {
    const licences = ['addLicences', 'removeLicences'];
    for (const e of corpus) {
      if (e.customer != null)
        expect(['eligibility', 'upgrade', 'history', 'refresh', ...licences], e.text).toContain(e.intent);
      if (e.target != null) expect(['eligibility', 'upgrade', 'fleet'], e.text).toContain(e.intent);
      if (e.source != null) expect(['paths', ...licences], e.text).toContain(e.intent);
      if (e.otherProduct != null) expect(e.target ?? e.source, e.text).toBeUndefined();
      if (e.seats != null) expect(e.intent, e.text).toBe('addLicences');
    }
  });

  it('has requests to add licences by how many and by the new total, and some without a number', () => {
    const adds = corpus.filter((e) => e.intent === 'addLicences');
    expect(adds.filter((e) => e.seats != null && 'add' in e.seats).length).toBeGreaterThanOrEqual(10);
    expect(adds.filter((e) => e.seats != null && 'total' in e.seats).length).toBeGreaterThanOrEqual(5);
    expect(adds.filter((e) => e.seats == null).length).toBeGreaterThanOrEqual(3);
  });

  it('has multi-turn cases for every intent a follow-up can have, and explicit overrides', () => {
    const multi = corpus.filter((e) => e.after !== undefined);
    const intents = [
      'eligibility',
      'upgrade',
      'history',
      'refresh',
      'paths',
      'addLicences',
      'removeLicences',
    ];
    for (const intent of intents) {
      expect(multi.filter((e) => e.intent === intent).length, intent).toBeGreaterThanOrEqual(2);
    }
  });
});
