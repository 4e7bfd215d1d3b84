/**
 * Accuracy on the labelled corpora (test/nlu/corpus/{en,fr,ja}.json, never trained on): the intent and each
 * entity (customer, target, source, otherProduct, seats) must be right for at least 95% of the utterances of
 * each language, both over all utterances (a customer, plan or number of seats found where none is expected
 * counts as wrong) and over those labelled with a value, and
 * as much for the multi-turn cases alone (follow-ups understood in the context of the messages before).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { createUnderstander, type Understander } from '../../src/bot/nlu/index.js';
import { LANGUAGES } from '../../src/bot/nlu/classifier.js';
import { FIELDS, evaluate, formatReports, loadCorpus, rate, type LanguageReport } from './evaluate.js';

const MIN_ACCURACY = 0.95;

let reports: LanguageReport[];

beforeAll(async () => {
  const { customers } = loadDemoDirectory();
  const understander: Understander = await createUnderstander(new CustomerIndex(customers));
  const names = new Map(customers.map((c) => [c.id, c.companyProfile.companyName]));
  reports = LANGUAGES.map((language) => evaluate(understander, language, loadCorpus(language), names));
  console.log(formatReports(reports));
});

describe.each(LANGUAGES)('accuracy (%s)', (language) => {
  it.each(FIELDS)(`%s is right for at least ${MIN_ACCURACY * 100}% of the corpus`, (field) => {
    const report = reports.find((r) => r.language === language) as LanguageReport;
    const misses = report.failures.filter((f) => f.field === field).map((f) => `"${f.text}" → ${f.got}`);
    expect(rate(report.all[field]), misses.join('\n')).toBeGreaterThanOrEqual(MIN_ACCURACY);
    expect(rate(report.labelled[field]), misses.join('\n')).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });

  it.each(FIELDS)(`%s is right for at least ${MIN_ACCURACY * 100}% of the multi-turn cases`, (field) => {
    const report = (reports.find((r) => r.language === language) as LanguageReport).multiTurn;
    const misses = report.failures.filter((f) => f.field === field).map((f) => `"${f.text}" → ${f.got}`);
    expect(report.all.intent.total, 'multi-turn cases').toBeGreaterThanOrEqual(20);
    expect(rate(report.all[field]), misses.join('\n')).toBeGreaterThanOrEqual(MIN_ACCURACY);
    expect(rate(report.labelled[field]), misses.join('\n')).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });
});
