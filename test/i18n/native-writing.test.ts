/**
 * French and Japanese as native speakers write them (issue 17): the reviewers' findings, one describe each,
 * held against locales/*.json and against what the answers and cards compose from them.
 */
import { describe, expect, it } from 'vitest';
import { orList, sentences } from '../../src/bot/explain.js';
import { readLocaleFile, Wording } from '../../src/bot/i18n.js';

type Flat = Map<string, string>;

function flatten(node: unknown, prefix = '', out: Flat = new Map()): Flat {
  if (typeof node === 'string') out.set(prefix, node);
  else if (Array.isArray(node)) node.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
  else if (node !== null && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  return out;
}

const fr = flatten(readLocaleFile('fr'));
const ja = flatten(readLocaleFile('ja'));
const wording = new Wording();

describe('"did you mean" offers one name or another (a disjunction), in every language', () => {
  it('the locale strings take the names as one list', () => {
    expect(readLocaleFile('en')).toMatchObject({ customer: { didYouMean: 'Did you mean {{names}}?' } });
    expect(fr.get('customer.didYouMean')).toBe('Vouliez-vous dire {{names}}\u00a0?');
    expect(ja.get('customer.didYouMean')).toBe('{{names}} のことですか？');
  });

  it('orList: "or", « ou », または (Intl.ListFormat disjunction; Latin names spaced from kana in Japanese)', () => {
    const names = ['Fabrikam Inc', 'Fabricam Ltd', 'Contoso Ltd'];
    expect(orList(wording.for('en'), names.slice(0, 2))).toBe('Fabrikam Inc or Fabricam Ltd');
    expect(orList(wording.for('en'), names)).toBe('Fabrikam Inc, Fabricam Ltd, or Contoso Ltd');
    expect(orList(wording.for('fr'), names)).toBe('Fabrikam Inc, Fabricam Ltd ou Contoso Ltd');
    expect(orList(wording.for('ja'), names.slice(0, 2))).toBe('Fabrikam Inc または Fabricam Ltd');
    expect(orList(wording.for('ja'), names)).toBe('Fabrikam Inc、Fabricam Ltd、または Contoso Ltd');
    // Japanese names: no space, as Intl writes them.
    expect(orList(wording.for('ja'), ['株式会社ノースウィンド', '株式会社コントソ'])).toBe(
      '株式会社ノースウィンドまたは株式会社コントソ',
    );
  });

  it('sentences: a space between them, none after 。 in Japanese', () => {
    expect(sentences(wording.for('fr'), 'Un.', '', 'Deux.')).toBe('Un. Deux.');
    expect(sentences(wording.for('ja'), '一。', '二。')).toBe('一。二。');
  });
});

describe('Japanese: アップグレード for changing plans, 移行 for licences only', () => {
  it.each([
    'eligibility.titleTarget',
    'eligibility.summaryTarget_yes',
    'eligibility.summaryTarget_no',
    'eligibility.canMoveTo',
    'fleet.title',
    'fleet.eligible_zero',
    'fleet.eligible_other',
    'fleet.blocked_other',
    'upgrade.doneSummary',
    'upgrade.refusedMessage',
    'upgrade.notPossibleMessage',
  ])('%s says アップグレード', (key) => {
    expect(ja.get(key)).toContain('アップグレード');
    expect(ja.get(key)).not.toContain('移行');
  });

  it('every 移行 left is a licence transfer (ライセンス in the same string)', () => {
    const plans = [...ja].filter(([, text]) => text.includes('移行') && !text.includes('ライセンス'));
    expect(plans.map(([key]) => key)).toEqual([]);
    expect([...ja.values()].some((text) => text.includes('ライセンスの移行'))).toBe(true);
  });

  it('the fleet line for blocked customers reads as a count of companies', () => {
    expect(ja.get('fleet.blocked_other')).toBe(
      'アップグレード パスはあるものの、現在アップグレードできない顧客: {{count}} 社',
    );
    expect(ja.get('fleet.byReason')).toBe('{{reason}}: {{count}} 社');
  });
});
