import { beforeAll, describe, expect, it } from 'vitest';
import type { CustomerLookup, CustomerMention } from '../../src/directory/lookup-types.js';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { MAX_TEXT, createUnderstander, type Understander } from '../../src/bot/nlu/index.js';
import { modelToJSON, trainModel, type TrainingData } from '../../src/bot/nlu/training.js';
import type { Customer } from '../../src/rules/index.js';

const customers = loadDemoDirectory().customers;
let nlu: Understander;

beforeAll(async () => {
  nlu = await createUnderstander(new CustomerIndex(customers));
});

function companyOf(mention: CustomerMention | undefined): string | undefined {
  return mention?.result.kind === 'match' ? mention.result.customer.companyProfile.companyName : undefined;
}

describe('understand: entities', () => {
  it('reports the customer as written, with its offsets and the lookup result', () => {
    const text = 'can contosso upgrade to E5?';
    const u = nlu.understand(text, 'en-US');
    expect(u).toMatchObject({ intent: 'eligibility', language: 'en', target: 'O365_E5' });
    expect(u.customer?.text).toBe('contosso');
    expect(text.slice(u.customer?.start, u.customer?.end)).toBe('contosso');
    expect(companyOf(u.customer)).toBe('Contoso Ltd');
  });

  it('passes an ambiguous customer on, for the bot to ask which one', () => {
    const u = nlu.understand('can fabrikom upgrade to E3', 'en-US');
    expect(u.intent).toBe('eligibility');
    expect(u.customer?.result.kind).toBe('ambiguous');
    const names =
      u.customer?.result.kind === 'ambiguous'
        ? u.customer.result.candidates.map((c) => c.customer.companyProfile.companyName)
        : [];
    expect(names).toEqual(expect.arrayContaining(['Fabrikam Inc', 'Fabricam Ltd']));
  });

  it('never takes a plan for a customer', () => {
    const u = nlu.understand('what can Business Premium upgrade to?', 'en-US');
    expect(u).toMatchObject({ intent: 'paths', source: 'O365_BUSINESS_PREMIUM' });
    expect(u.customer).toBeUndefined();
  });

  it('blanks the plans out of the text given to the lookup, and drops a mention overlapping a plan', async () => {
    const seen: string[] = [];
    const overlapping: CustomerLookup = {
      search: () => [],
      resolve: () => ({ kind: 'none', suggestions: [] }),
      upsert: () => undefined,
      remove: () => undefined,
      findMention(text: string): CustomerMention {
        seen.push(text);
        // A careless lookup that takes "Enterprise" for a customer name.
        const start = 'upgrade Contoso to Office 365 '.length;
        return {
          text: text.slice(start, start + 10),
          start,
          end: start + 10,
          result: { kind: 'none', suggestions: [] },
        };
      },
    };
    const understander = await createUnderstander(overlapping);
    const u = understander.understand('upgrade Contoso to Office 365 Enterprise E3', 'en-US');
    expect(seen).toEqual([`upgrade Contoso to ${' '.repeat('Office 365 Enterprise E3'.length)}`]);
    // The mention on "Enterprise" is dropped; "Contoso", which this lookup does not know, is the customer.
    expect(u.customer?.text).toBe('Contoso');
    expect(u.target).toBe('O365_E3');
  });

  it('keeps a customer whose name contains a plan-like word (India)', () => {
    const u = nlu.understand('upgrade Tailspin Toys India to Business Premium India', 'en-US');
    expect(u).toMatchObject({ intent: 'upgrade', target: 'O365_BUSINESS_PREMIUM_INDIA' });
    expect(companyOf(u.customer)).toBe('Tailspin Toys India Pvt Ltd');
  });

  it.each([
    ['upgrade Contoso from Business Essentials to E3', 'en-US', 'O365_E3'],
    ['mets à niveau Contoso de Business Essentials vers Entreprise E5', 'fr-FR', 'O365_E5'],
    ['ContosoをBusiness EssentialsからE3にアップグレードして', 'ja-JP', 'O365_E3'],
    ['upgrade Contoso to E5 from Business Premium', 'en-US', 'O365_E5'],
  ])('the target is the plan moved to: "%s"', (text, locale, target) => {
    const u = nlu.understand(text, locale);
    expect(u.intent).toBe('upgrade');
    expect(u.target).toBe(target);
    expect(u.source).toBeUndefined();
  });

  it('the source of a paths question is the plan moved from', () => {
    expect(nlu.understand('can Business Premium be upgraded to E5?', 'en-US')).toMatchObject({
      intent: 'paths',
      source: 'O365_BUSINESS_PREMIUM',
    });
    expect(nlu.understand('can you upgrade from Business Standard to E3', 'en-US').source).toBe(
      'O365_BUSINESS_PREMIUM',
    );
  });

  it('attaches the customer only to eligibility, upgrade, history, refresh and the licence requests', async () => {
    // A tiny model in which a sentence naming a customer can be fleet, paths or help.
    const tiny: TrainingData = {
      eligibility: ['can {Contoso} upgrade'],
      upgrade: ['upgrade {Contoso} now'],
      paths: ['what can E3 become, {Contoso} asks'],
      fleet: ['which customers like {Contoso} can take E3'],
      history: ['history of {Contoso}'],
      refresh: ['reload {Contoso} from the source'],
      addLicences: ['{Contoso} wants seats'],
      removeLicences: ['{Contoso} drops seats'],
      help: ['help me with {Contoso}'],
      none: ['weather in {Contoso}'],
    };
    const model = modelToJSON(trainModel({ en: tiny, fr: tiny, ja: tiny }), 'tiny');
    const understander = await createUnderstander(new CustomerIndex(customers), { model });
    const cases: [string, string, boolean][] = [
      ['can Contoso upgrade', 'eligibility', true],
      ['upgrade Contoso now', 'upgrade', true],
      ['history of Contoso', 'history', true],
      ['reload Contoso from the source', 'refresh', true],
      ['Contoso wants seats', 'addLicences', true],
      ['Contoso drops seats', 'removeLicences', true],
      ['what can E3 become, Contoso asks', 'paths', false],
      ['which customers like Contoso can take E3', 'fleet', false],
      ['help me with Contoso', 'help', false],
      ['weather in Contoso', 'none', false],
    ];
    for (const [text, intent, withCustomer] of cases) {
      const u = understander.understand(text, 'en-US');
      expect(u.intent, text).toBe(intent);
      expect(u.customer !== undefined, text).toBe(withCustomer);
      expect(u.target, text).toBe(['fleet'].includes(intent) ? 'O365_E3' : undefined);
      expect(u.source, text).toBe(intent === 'paths' ? 'O365_E3' : undefined);
    }
  });
});

describe('understand: licences', () => {
  it.each([
    ['en-US', 'Contoso needs 8 more seats', 'addLicences'],
    ['fr-FR', 'Contoso a besoin de 8 sièges de plus', 'addLicences'],
    ['ja-JP', 'ContosoのE3のライセンスを4つ増やして', 'addLicences'],
    ['en-US', 'remove 3 licences from Contoso', 'removeLicences'],
    ['en-US', 'reduce Contoso to 20 seats', 'removeLicences'],
    ['fr-FR', 'retire 2 licences à Contoso', 'removeLicences'],
    ['ja-JP', 'Contosoのライセンスを減らして', 'removeLicences'],
    // The other intents stay what they were.
    ['en-US', 'upgrade Contoso', 'upgrade'],
    ['en-US', 'can Contoso upgrade', 'eligibility'],
    ['en-US', 'upgrade Contoso to E5', 'upgrade'],
    ['fr-FR', 'passe Contoso en E5', 'upgrade'],
    ['fr-FR', 'Contoso peut-il passer à E5 ?', 'eligibility'],
    ['ja-JP', 'ContosoをE5にアップグレードして', 'upgrade'],
    ['ja-JP', 'ContosoはE5にアップグレードできますか？', 'eligibility'],
  ] as const)('%s: "%s" → %s, about the customer', (locale, text, intent) => {
    const u = nlu.understand(text, locale);
    expect(u.intent).toBe(intent);
    expect(companyOf(u.customer)).toBe('Contoso Ltd');
  });

  it('takes the plan named as the subscription to add to, never one to move to', () => {
    for (const [text, locale] of [
      ["give Contoso's E3 another 4 licences", 'en-US'],
      ["ajoute 4 licences à l'E3 de Contoso", 'fr-FR'],
      ['ContosoのE3に4ライセンス追加して', 'ja-JP'],
    ] as const) {
      const u = nlu.understand(text, locale);
      expect(u, text).toMatchObject({ intent: 'addLicences', source: 'O365_E3', seats: { add: 4 } });
      expect(u.target, text).toBeUndefined();
    }
  });

  it('passes an unknown customer on, as for the other questions about a customer', () => {
    const u = nlu.understand('Zorblax Industries needs 8 more seats', 'en-US');
    expect(u).toMatchObject({ intent: 'addLicences', seats: { add: 8 } });
    expect(u.customer?.text).toBe('Zorblax Industries');
    expect(u.customer?.result.kind).toBe('none');
  });
});

describe('understand: a customer the directory does not know', () => {
  it.each([
    ['can Zorblax Industries upgrade?', 'en-US', 'eligibility'],
    ['upgrade Globex to E3', 'en-US', 'upgrade'],
    ['what upgrades have we done for Initech?', 'en-US', 'history'],
    ['Zorblax Industries peut-il passer à une offre supérieure ?', 'fr-FR', 'eligibility'],
    ['historique de Initech', 'fr-FR', 'history'],
    ['Zorblax Industriesはアップグレードできますか？', 'ja-JP', 'eligibility'],
    ['GlobexをE3にアップグレードして', 'ja-JP', 'upgrade'],
  ])(
    '"%s": the name as written, with the lookup’s answer (none, and suggestions)',
    (text, locale, intent) => {
      const u = nlu.understand(text, locale);
      expect(u.intent).toBe(intent);
      const name = /Zorblax Industries|Globex|Initech/.exec(text)?.[0];
      expect(u.customer?.text).toBe(name);
      expect(text.slice(u.customer?.start, u.customer?.end)).toBe(name);
      expect(u.customer?.result.kind).toBe('none');
    },
  );

  it('takes a misspelt known customer for that customer, not for an unknown one', () => {
    const u = nlu.understand('can Contosso Ltd upgrade?', 'en-US');
    expect(companyOf(u.customer)).toBe('Contoso Ltd');
  });

  it.each([
    ['Call Sarah', 'en-US'],
    ['Play Taylor Swift', 'en-US'],
    ['Remind me to call Mike', 'en-US'],
    ["What's the weather in London", 'en-US'],
    ['Appelle Sophie', 'fr-FR'],
    ['Quel temps fait-il à Marseille', 'fr-FR'],
    ['Taylor Swiftをかけて', 'ja-JP'],
    ['大阪の天気は？', 'ja-JP'],
  ])('does not take names in small talk for customers: "%s"', (text, locale) => {
    const u = nlu.understand(text, locale);
    expect(u.intent).toBe('none');
    expect(u.customer).toBeUndefined();
  });
});

describe('understand: languages', () => {
  it('keeps the locale as the language of the reply when the text is in another language', () => {
    expect(nlu.understand('can Contoso upgrade to E5?', 'fr-FR')).toMatchObject({
      intent: 'eligibility',
      language: 'fr',
      target: 'O365_E5',
    });
    expect(nlu.understand('upgrade Fabrikam to E3', 'ja-JP')).toMatchObject({
      intent: 'upgrade',
      language: 'ja',
    });
    expect(nlu.understand('ContosoはE5にアップグレードできますか', 'en-US')).toMatchObject({
      intent: 'eligibility',
      language: 'en',
    });
    expect(nlu.understand('quels clients peuvent passer à E5 ?', undefined)).toMatchObject({
      intent: 'fleet',
      language: 'en',
      target: 'O365_E5',
    });
  });

  it('French without accents', () => {
    expect(nlu.understand('historique des mises a niveau de contoso', 'fr-CA')).toMatchObject({
      intent: 'history',
      language: 'fr',
    });
  });
});

describe('understand: help and none', () => {
  it.each(['help', '?', 'hello', 'what can you do', 'aide', 'bonjour', 'ヘルプ', 'こんにちは', '？'])(
    '"%s" is help',
    (text) => {
      expect(nlu.understand(text, 'en-US').intent).toBe('help');
    },
  );

  it.each(['', '   ', 'asdf qwer zxcv', "what's the weather", 'tell me a joke', 'ぴよぴよ', '🙂'])(
    '"%s" is none',
    (text) => {
      expect(nlu.understand(text, 'en-US').intent).toBe('none');
    },
  );

  it('handles Teams leftovers around the text (the @mention itself is stripped by the bot)', () => {
    const u = nlu.understand('  \n can   Contoso upgrade ?\n', 'en-US');
    expect(u.intent).toBe('eligibility');
    expect(companyOf(u.customer)).toBe('Contoso Ltd');
  });

  it('gives a confidence between 0 and 1', () => {
    for (const text of ['can Contoso upgrade?', 'hello', 'weather', 'xyz', 'E3']) {
      const { confidence } = nlu.understand(text, 'en-US');
      expect(confidence).toBeGreaterThanOrEqual(0);
      expect(confidence).toBeLessThanOrEqual(1);
    }
  });

  it('reads at most MAX_TEXT characters of a long message', () => {
    const long = `can Contoso upgrade to E5? ${'blah '.repeat(5000)}`;
    const u = nlu.understand(long, 'en-US');
    expect(long.length).toBeGreaterThan(MAX_TEXT);
    expect(u.customer?.end).toBeLessThanOrEqual(MAX_TEXT);
  });
});

describe('understand: the directory is the lookup’s', () => {
  it('finds customers added to the lookup after start-up', async () => {
    const index = new CustomerIndex(customers);
    const understander = await createUnderstander(index);
    expect(understander.understand('can Globex upgrade?', 'en-US').customer?.result.kind).toBe('none');
    const globex: Customer = {
      id: 'globex',
      companyProfile: { companyName: 'Globex Corporation', domain: 'globex.onmicrosoft.com' },
      delegatedAdmin: [],
      subscriptions: [],
    };
    index.upsert(globex);
    const u = understander.understand('can Globex upgrade?', 'en-US');
    expect(u.intent).toBe('eligibility');
    expect(companyOf(u.customer)).toBe('Globex Corporation');
  });
});
