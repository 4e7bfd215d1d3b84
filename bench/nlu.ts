/**
 * Understanding: start-up from the saved model, and `understand` latency over the labelled corpora.
 * Run: npx tsx bench/nlu.ts
 */
import { createUnderstander } from '../src/bot/nlu/index.js';
import { LANGUAGES } from '../src/bot/language.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { CustomerIndex } from '../src/directory/customer-index.js';
import { LOCALES, loadCorpus } from '../test/nlu/evaluate.js';

const lookup = new CustomerIndex(loadDemoDirectory().customers);
const started = performance.now();
const understander = await createUnderstander(lookup);
const startup = performance.now() - started;

const messages = LANGUAGES.flatMap((l) => loadCorpus(l).map((e) => [e.text, LOCALES[l]] as const));
for (const [text, locale] of messages) understander.understand(text, locale); // warm-up
const times: number[] = [];
for (let round = 0; round < 20; round++) {
  for (const [text, locale] of messages) {
    const t = performance.now();
    understander.understand(text, locale);
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);
const at = (q: number): string => (times[Math.floor(q * (times.length - 1))] ?? 0).toFixed(3);
console.log(
  `NLU: createUnderstander ${startup.toFixed(1)} ms; understand p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, ` +
    `p99 ${at(0.99)} ms over ${times.length} calls; RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`,
);
