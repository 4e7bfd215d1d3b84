/** The understanding layer is cheap: it starts from the saved model quickly and answers in well under 2 ms. */
import { describe, expect, it } from 'vitest';
import { CustomerIndex } from '../../src/directory/lookup.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { createUnderstander } from '../../src/bot/nlu/index.js';
import { LANGUAGES } from '../../src/bot/nlu/classifier.js';
import { LOCALES, loadCorpus } from './evaluate.js';

describe('performance', () => {
  it('loads the saved model quickly and understands a message in under 2 ms (p50)', async () => {
    const lookup = new CustomerIndex(loadDemoDirectory().customers);
    const started = performance.now();
    const understander = await createUnderstander(lookup);
    const startup = performance.now() - started;

    const messages = LANGUAGES.flatMap((l) => loadCorpus(l).map((e) => [e.text, LOCALES[l]] as const));
    for (const [text, locale] of messages) understander.understand(text, locale);
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const [text, locale] of messages) {
        const t = performance.now();
        understander.understand(text, locale);
        times.push(performance.now() - t);
      }
    }
    times.sort((a, b) => a - b);
    const at = (q: number): number => times[Math.floor(q * (times.length - 1))] ?? 0;
    console.log(
      `NLU: createUnderstander ${startup.toFixed(1)} ms; understand p50 ${at(0.5).toFixed(3)} ms, ` +
        `p90 ${at(0.9).toFixed(3)} ms, p99 ${at(0.99).toFixed(3)} ms over ${times.length} calls`,
    );
    expect(startup).toBeLessThan(300);
    expect(at(0.5)).toBeLessThan(2);
  });
});
