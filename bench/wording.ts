/**
 * What the card templating and the wording cost in an eligibility turn, in process: `npx tsx bench/wording.ts`.
 * - Each card's expansion with adaptivecards-templating (`CardTemplates.expand`), p50 over 5,000 runs.
 * - The wording of one eligibility answer (Contoso Ltd of the demo directory): the answer's `t()` calls,
 *   recorded once, replayed through i18next's `getFixedT(language)` and through the compiled wording (`tr.t`).
 * - A whole turn, "can Contoso upgrade?" through the real bot on botbuilder's TestAdapter (no HTTP), CPU per
 *   turn with the compiled wording and, in alternate batches, with i18next's `t()` in its place.
 */
import type { TFunction } from 'i18next';
import { eligibilityAnswer } from '../src/bot/answers/eligibility.js';
import { CardTemplates } from '../src/bot/cards/templates.js';
import { createI18next, LANGUAGES, Wording, type Translator } from '../src/bot/i18n.js';
import { loadDemoDirectory } from '../src/directory/load.js';
import { createTestBot } from '../test/support/bot.js';
import { flowCards } from '../test/support/card-specs.js';
import { median, ms } from './stats.js';

/** p50 of `run` in ms, timed call by call after as many warm-up calls. */
function p50(run: () => unknown, runs = 5000): number {
  for (let i = 0; i < runs; i++) run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
}

const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(0)} %`;

const contoso = loadDemoDirectory().customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
const wording = new Wording();
const templates = new CardTemplates();
const i18n = createI18next();

console.log('Card expansion with adaptivecards-templating, p50:');
const flow = new Map((await flowCards('en')).map((c) => [c.label, c.spec]));
const cards = {
  eligibility: eligibilityAnswer(wording.for('en'), contoso).card!,
  'choose-target': flow.get('en choose-target')!,
  confirm: flow.get('en confirm')!,
};
const expansion = new Map(
  Object.entries(cards).map(([name, spec]) => [name, p50(() => templates.expand(spec))]),
);
for (const [name, time] of expansion) console.log(`  ${name}: ${ms(time)}`);

console.log("The wording of one eligibility answer, p50 of the answer's t() calls replayed:");
const answerWording = new Map<string, number>();
for (const language of LANGUAGES) {
  const tr = wording.for(language);
  const calls: [string, unknown][] = [];
  const t = (key: string, options?: unknown): unknown => {
    calls.push([key, options]);
    return tr.t(key, options as never);
  };
  eligibilityAnswer({ ...tr, t: t as TFunction }, contoso);
  const replay = (f: TFunction) => () => {
    for (const [key, options] of calls) f(key, options as never);
  };
  const [viaI18next, compiled] = [p50(replay(i18n.getFixedT(language)), 2000), p50(replay(tr.t), 2000)];
  answerWording.set(language, viaI18next);
  console.log(`  ${language}: ${calls.length} calls; i18next ${ms(viaI18next)}, compiled ${ms(compiled)}`);
}

console.log('A turn, "can Contoso upgrade?" on the TestAdapter (no HTTP), CPU per turn, median of 10 × 200:');
const fixedT = new Map(LANGUAGES.map((l) => [l, i18n.getFixedT(l)]));
const compiledFor = Wording.prototype.for;
let viaI18next = false;
Wording.prototype.for = function (this: Wording, locale: string | undefined): Translator {
  const tr = compiledFor.call(this, locale);
  return viaI18next ? { ...tr, t: fixedT.get(tr.language)! } : tr;
};
const bot = await createTestBot();
const cpu = { compiled: [] as number[], i18next: [] as number[] };
for (let batch = 0; batch < 22; batch++) {
  viaI18next = batch % 2 === 1;
  const start = process.cpuUsage();
  for (let i = 0; i < 200; i++) await bot.say('can Contoso upgrade?');
  const used = process.cpuUsage(start);
  if (batch >= 2) cpu[viaI18next ? 'i18next' : 'compiled'].push((used.user + used.system) / 1000 / 200);
}
const [turn, turnViaI18next] = [median(cpu.compiled), median(cpu.i18next)];
console.log(
  `  compiled wording ${ms(turn)}; i18next's t() ${ms(turnViaI18next)} (+${ms(turnViaI18next - turn)})`,
);
console.log(
  `  share of the turn: eligibility card ${percent(expansion.get('eligibility')!, turn)}, ` +
    `i18next's wording of the answer ${percent(answerWording.get('en')!, turn)} (replayed), ` +
    `${percent(turnViaI18next - turn, turn)} (in the turn)`,
);
