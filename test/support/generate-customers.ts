/**
 * Deterministic generator of realistic customers, for tests and benchmarks: varied company names in several
 * countries and languages (accents, legal forms, a few Japanese names in kanji), unique ids, names and
 * domains, and 1–4 subscriptions each with a mix of offers, statuses, channels, trials, add-ons and users.
 * The same (count, seed) always gives the same customers; no Math.random.
 */
import {
  CATALOG,
  CHANNELS,
  DELEGATED_ADMIN_STATUSES,
  OFFER_IDS,
  SUBSCRIPTION_STATUSES,
  type Channel,
  type Customer,
  type DelegatedAdmin,
  type DelegatedAdminStatus,
  type OfferId,
  type ServiceKey,
  type Subscription,
  type SubscriptionStatus,
  type UserLicense,
} from '../../src/rules/index.js';
import { fold } from '../../src/directory/name-normalize.js';

/** The variant digit of a version-4 UUID. */
const VARIANTS = ['8', '9', 'a', 'b'];

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A version-4-shaped UUID whose last 12 digits are `serial` in hexadecimal, so that it is unique. */
  uuid(serial: number): string {
    const a = Math.floor(this.next() * 0x100000000);
    const b = Math.floor(this.next() * 0x100000000);
    return (
      hex8(a) +
      '-' +
      hex8(b).slice(0, 4) +
      '-4' +
      hex8(b).slice(5) +
      '-' +
      (VARIANTS[serial & 3] ?? '8') +
      hex8(a >>> 12).slice(5) +
      '-0000' +
      hex8(serial)
    );
  }
}

/** Two hexadecimal digits per byte value (Number#toString(16) is slow). */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(value: number): string {
  return (
    (HEX[(value >>> 24) & 255] ?? '') +
    (HEX[(value >>> 16) & 255] ?? '') +
    (HEX[(value >>> 8) & 255] ?? '') +
    (HEX[value & 255] ?? '')
  );
}

/** A picker of the keys of `weights` (listed in `order`), each with probability proportional to its weight. */
function weighted<T extends string>(
  order: readonly T[],
  weights: Readonly<Record<T, number>>,
): (random: Random) => T {
  const cumulative: number[] = [];
  let total = 0;
  for (const key of order) cumulative.push((total += weights[key]));
  return (random) => {
    const r = random.next() * total;
    for (let i = 0; i < order.length; i++) if (r < (cumulative[i] as number)) return order[i] as T;
    return order[order.length - 1] as T;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Word lists

/** A word list written as comma-separated text. */
function list(text: string): string[] {
  return text
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w.length > 0);
}

/** "kanji:romaji" pairs. */
function pairs(text: string): (readonly [string, string])[] {
  return list(text).map((pair) => {
    const [kanji = '', romaji = ''] = pair.split(':');
    return [kanji, romaji] as const;
  });
}

const ADJECTIVES = list(`
  Blue, Red, Green, Silver, Golden, Northern, Southern, Eastern, Western, Bright, Swift, Alpine,
  Coastal, Crimson, Emerald, Granite, Hidden, Iron, Lunar, Maple, Noble, Oak, Pacific, Atlantic,
  Prairie, Quiet, Rapid, Royal, Sapphire, Solar, Stone, Summit, True, Urban, Vivid, Wild, Amber, Cedar,
  Copper, Crystal, Falcon, First, Harbor, Highland, Lake, Misty, Orchid, Pine, Polar, River, Sunny,
  Timber, Velvet, White, Black, Tall
`);
const NOUNS = list(`
  Yonder, Creek, Ridge, Valley, Harbour, Peak, Bridge, Forest, Meadow, Horizon, Canyon, Field, Grove,
  Hill, Island, Lantern, Mountain, Ocean, Orchard, Path, Point, Rock, Shore, Sky, Spring, Star, Stream,
  Tide, Tower, Trail, Wave, Wind, Wing, Arrow, Beacon, Compass, Crest, Delta, Falls, Gate, Haven, Key,
  Lake, Mill, Moon, Pine, Sail, Ski House
`);
const INDUSTRIES_EN = list(`
  Logistics, Analytics, Consulting, Traders, Trading, Systems, Solutions, Software, Labs, Health,
  Foods, Bakery, Brewing, Coffee, Construction, Design, Energy, Engineering, Financial, Insurance,
  Legal, Media, Motors, Pharma, Realty, Research, Retail, Security, Studios, Telecom, Textiles, Toys,
  Travel, Ventures, Works, Cycles, Bank, Partners, Outfitters, Airlines, Dental, Clinic, Hotels,
  Marine, Farms, Wines, Publishing, Robotics
`);
const SURNAMES_EN = list(`
  Anderson, Baker, Carter, Davies, Ellis, Fletcher, Graham, Harper, Irving, Jenkins, Keller, Lawson,
  Morgan, Nolan, Owens, Parker, Quinn, Reynolds, Sullivan, Turner, Underwood, Vaughn, Walsh, Young,
  Bennett, Hughes, Murphy, Price, Russell, Wood
`);
const FIRST_NAMES = list(`
  Megan, Alex, Diego, Isaiah, Lidia, Nestor, Patti, Pradeep, Lynne, Adele, Grady, Henrietta, Johanna,
  Joni, Lee, Miriam, Alain, Camille, Hélène, Jürgen, Sakura, Hiroshi, Priya, Arjun, Sofía, Giulia,
  Lars, Chloé, Mateo, Yuki
`);
const LAST_NAMES = list(`
  Bowen, Wilber, Siciliani, Henderson, Gonzalez, Cannon, Gupta, Robinson, Vance, Gibbs, Lamb, Johnson,
  Sherman, Dubois, Lefèvre, Müller, Tanaka, Sato, Sharma, Iyer, García, Rossi, Nilsson, Moreau,
  Fischer, Suzuki, Patel, Romano, Martín, Schneider
`);
const FR_WORDS = list(`
  Conseil, Ingénierie, Transports, Bâtiment, Énergies, Boulangerie, Informatique, Assurances,
  Pharmacie, Éditions, Distribution, Immobilier, Vins, Électricité, Menuiserie
`);
const FR_SURNAMES = list(`
  Lefèvre, Dubois, Moreau, Girard, Lambert, Bonnet, François, Mercier, Rousseau, Faure, André,
  Chevalier, Gauthier, Périer, Leroy, Noël
`);
const DE_WORDS = list(`
  Maschinenbau, Technik, Logistik, Bau, Elektro, Handel, Werkzeuge, Automobil, Brauerei,
  Versicherungen, Software, Metallbau, Druckerei, Möbel, Bäckerei
`);
const DE_SURNAMES = list(`
  Müller, Schmidt, Schneider, Fischer, Weber, Becker, Schäfer, Köhler, Hoffmann, Krüger, Schröder,
  Wagner, Braun, Zimmermann, Groß, Jäger
`);
const ES_WORDS = list(`
  Construcciones, Alimentación, Ingeniería, Logística, Tecnología, Distribución, Energía, Farmacéutica,
  Transportes, Servicios
`);
const ES_SURNAMES = list(`
  García, Martínez, López, Sánchez, Pérez, Gómez, Fernández, Muñoz, Álvarez, Romero, Núñez, Ortiz
`);
const IT_WORDS = list(`
  Costruzioni, Alimentari, Meccanica, Tessile, Trasporti, Informatica, Vini, Arredamenti, Ceramiche,
  Farmaceutici
`);
const IT_SURNAMES = list(`
  Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Conti, De Luca
`);
const JP_NAMES = pairs(`
  山田:Yamada, 田中:Tanaka, 鈴木:Suzuki, 佐藤:Sato, 高橋:Takahashi, 伊藤:Ito, 渡辺:Watanabe, 中村:Nakamura,
  小林:Kobayashi, 加藤:Kato, 吉田:Yoshida, 松本:Matsumoto, 井上:Inoue, 木村:Kimura, 清水:Shimizu, 東京:Tokyo, 大阪:Osaka,
  北海:Hokkai, 富士:Fuji, 日本:Nippon
`);
const JP_WORDS = pairs(`
  電機:Denki, 商事:Shoji, 物産:Bussan, 建設:Kensetsu, 製作所:Seisakusho, 工業:Kogyo, 産業:Sangyo, 運輸:Unyu,
  食品:Shokuhin, 化学:Kagaku, 精密:Seimitsu, 薬品:Yakuhin, 通信:Tsushin, 不動産:Fudosan
`);
const KANJI_CITIES = pairs(`
  東京:Tokyo, 大阪:Osaka, 名古屋:Nagoya, 札幌:Sapporo, 福岡:Fukuoka, 神戸:Kobe, 京都:Kyoto, 仙台:Sendai
`);
const IN_SURNAMES = list(`
  Sharma, Patel, Gupta, Iyer, Reddy, Nair, Mehta, Kapoor, Singh, Rao, Agarwal, Banerjee, Chopra, Desai,
  Joshi, Kulkarni, Menon, Pillai, Bose, Malhotra
`);
const IN_WORDS = list(`
  Technologies, Infotech, Softech, Textiles, Pharma, Industries, Enterprises, Exports, Infra, Motors,
  Foods, Steels, Chemicals, Solutions, Systems, Toys
`);
const IN_BRANDS = list(`
  Surya, Ganga, Himalaya, Lotus, Kaveri, Indus, Vayu, Agni, Shakti, Prakash, Nirmal, Sagar,
  Kiran, Akash, Deccan, Sahyadri, Narmada
`);
/** Invented brand names ("Lamna", "Velora", "Tamiko"…): pronounceable consonant-vowel syllables. */
const ONSETS = list(`
  b, c, d, f, g, k, l, m, n, p, r, s, t, v, z, b, c, d, l, m, n, r, s, t, br, tr, pr, st, gr, fl, qu, ch, th
`);
const VOWELS = list(`a, e, i, o, u, a, e, o, a, i, o, é, ia, y`);
const CODAS = list(`n, r, m, s, l, x, k, nt, st, rk`);
const ENDINGS = list(`a, o, a, ia, ix, on, ex, ara, ico, ora, um, ity, ware, soft, ys, ine, et`);

interface Country {
  readonly tld: string;
  readonly weight: number;
  readonly legalForms: readonly string[];
  readonly cities: readonly string[];
  readonly india?: boolean;
  readonly name: (random: Random) => { name: string; slug?: string };
}

function brand(random: Random): string {
  let word = '';
  const syllables = random.chance(0.6) ? 1 : 2;
  for (let i = 0; i < syllables; i++) {
    word += random.pick(ONSETS) + random.pick(VOWELS) + (random.chance(0.4) ? random.pick(CODAS) : '');
  }
  word += random.chance(0.75) ? random.pick(ONSETS) + random.pick(ENDINGS) : random.pick(CODAS);
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function englishName(random: Random): string {
  const r = random.next();
  if (r < 0.3) return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)} ${random.pick(INDUSTRIES_EN)}`;
  if (r < 0.65) return `${brand(random)} ${random.pick(INDUSTRIES_EN)}`;
  if (r < 0.7) return `${random.pick(SURNAMES_EN)} & ${random.pick(SURNAMES_EN)}`;
  if (r < 0.75) return `${random.pick(SURNAMES_EN)} ${random.pick(INDUSTRIES_EN)}`;
  if (r < 0.8) return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
  return brand(random);
}

const COUNTRIES: readonly Country[] = [
  {
    tld: 'com',
    weight: 30,
    legalForms: ['Inc', 'Inc.', 'LLC', 'Corp', 'Corporation', 'Co', ''],
    cities: ['Seattle', 'Boston', 'Denver', 'Austin', 'Chicago', 'Portland', 'Atlanta', 'Phoenix'],
    name: (random) => ({ name: englishName(random) }),
  },
  {
    tld: 'co.uk',
    weight: 12,
    legalForms: ['Ltd', 'Limited', 'PLC', 'LLP', ''],
    cities: ['London', 'Leeds', 'Bristol', 'Glasgow', 'Cardiff', 'York', 'Oxford', 'Belfast'],
    name: (random) => ({ name: englishName(random) }),
  },
  {
    tld: 'com.au',
    weight: 4,
    legalForms: ['Pty Ltd'],
    cities: ['Sydney', 'Melbourne', 'Perth', 'Brisbane', 'Adelaide', 'Hobart'],
    name: (random) => ({ name: englishName(random) }),
  },
  {
    tld: 'fr',
    weight: 10,
    legalForms: ['SA', 'SAS', 'SARL', ''],
    cities: ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Lille', 'Bordeaux', 'Nice'],
    name: (random) => {
      const r = random.next();
      if (r < 0.25) return { name: `Société ${brand(random)}` };
      if (r < 0.45) return { name: `Groupe ${random.pick(FR_SURNAMES)}` };
      if (r < 0.7) return { name: `${brand(random)} ${random.pick(FR_WORDS)}` };
      if (r < 0.85) return { name: `${random.pick(FR_SURNAMES)} ${random.pick(FR_WORDS)}` };
      return { name: `${random.pick(FR_SURNAMES)} & Fils` };
    },
  },
  {
    tld: 'de',
    weight: 9,
    legalForms: ['GmbH', 'AG', 'GmbH & Co. KG'],
    cities: ['Berlin', 'München', 'Köln', 'Hamburg', 'Düsseldorf', 'Stuttgart', 'Leipzig', 'Nürnberg'],
    name: (random) => {
      const r = random.next();
      if (r < 0.5) return { name: `${random.pick(DE_SURNAMES)} ${random.pick(DE_WORDS)}` };
      if (r < 0.8) return { name: `${brand(random)} ${random.pick(DE_WORDS)}` };
      return { name: `${random.pick(DE_SURNAMES)} & ${random.pick(DE_SURNAMES)}` };
    },
  },
  {
    tld: 'ch',
    weight: 3,
    legalForms: ['AG', 'SA', 'GmbH'],
    cities: ['Zürich', 'Genève', 'Basel', 'Bern', 'Lausanne'],
    name: (random) => ({ name: `${brand(random)} ${random.pick([...DE_WORDS, ...FR_WORDS])}` }),
  },
  {
    tld: 'es',
    weight: 4,
    legalForms: ['SL', 'SA'],
    cities: ['Madrid', 'Barcelona', 'Valencia', 'Sevilla', 'Bilbao', 'Málaga'],
    name: (random) => ({
      name: random.chance(0.5)
        ? `${random.pick(ES_WORDS)} ${random.pick(ES_SURNAMES)}`
        : `${brand(random)} ${random.pick(ES_WORDS)}`,
    }),
  },
  {
    tld: 'it',
    weight: 4,
    legalForms: ['SpA', 'Srl'],
    cities: ['Milano', 'Roma', 'Torino', 'Napoli', 'Bologna', 'Firenze'],
    name: (random) => ({
      name: random.chance(0.5)
        ? `${random.pick(IT_WORDS)} ${random.pick(IT_SURNAMES)}`
        : `${brand(random)} ${random.pick(IT_WORDS)}`,
    }),
  },
  {
    tld: 'nl',
    weight: 3,
    legalForms: ['BV', 'NV'],
    cities: ['Amsterdam', 'Rotterdam', 'Utrecht', 'Eindhoven', 'Den Haag'],
    name: (random) => ({
      name: `${brand(random)} ${random.pick(['Logistiek', 'Techniek', 'Bouw', 'Handel', 'Zorg'])}`,
    }),
  },
  {
    tld: 'co.jp',
    weight: 8,
    legalForms: ['KK', 'Co., Ltd.', 'Corporation'],
    cities: ['Tokyo', 'Osaka', 'Nagoya', 'Sapporo', 'Fukuoka', 'Kobe', 'Kyoto', 'Sendai'],
    name: (random) => {
      const [kanji, romaji] = random.pick(JP_NAMES);
      const [kanjiWord, romajiWord] = random.pick(JP_WORDS);
      if (random.chance(0.15))
        return { name: `${kanji}${kanjiWord}株式会社`, slug: `${romaji}${romajiWord}` };
      if (random.chance(0.3)) return { name: `${brand(random)} Japan` };
      return { name: `${romaji} ${romajiWord}` };
    },
  },
  {
    tld: 'in',
    weight: 10,
    india: true,
    legalForms: ['Pvt Ltd', 'Private Limited', 'Ltd'],
    cities: ['Mumbai', 'Delhi', 'Bengaluru', 'Chennai', 'Hyderabad', 'Pune', 'Kolkata', 'Ahmedabad'],
    name: (random) => {
      const r = random.next();
      if (r < 0.4) return { name: `${random.pick(IN_SURNAMES)} ${random.pick(IN_WORDS)}` };
      if (r < 0.7) return { name: `${random.pick(IN_BRANDS)} ${random.pick(IN_WORDS)} India` };
      return { name: `${brand(random)} ${random.pick(IN_WORDS)}` };
    },
  },
];
const COUNTRY_WEIGHT = COUNTRIES.reduce((sum, c) => sum + c.weight, 0);

function pickCountry(random: Random): Country {
  let r = random.next() * COUNTRY_WEIGHT;
  for (const country of COUNTRIES) {
    r -= country.weight;
    if (r < 0) return country;
  }
  return COUNTRIES[0] as Country;
}

// ---------------------------------------------------------------------------------------------------------
// Subscriptions

const STATUS_WEIGHTS: Readonly<Record<SubscriptionStatus, number>> = {
  active: 80,
  suspended: 5,
  pending: 3,
  deleted: 4,
  expired: 4,
  disabled: 4,
};
const CHANNEL_WEIGHTS: Readonly<Record<Channel, number>> = {
  partner: 82,
  'other-partner': 7,
  direct: 6,
  ea: 3,
  open: 2,
};
const ADMIN_WEIGHTS: Readonly<Record<DelegatedAdminStatus, number>> = {
  active: 92,
  expired: 3,
  terminated: 2,
  approvalPending: 3,
};
/** How often each offer is bought (India customers buy the India variants of the Business offers). */
const OFFER_WEIGHTS: Readonly<Record<OfferId, number>> = {
  O365_BUSINESS: 14,
  O365_BUSINESS_INDIA: 0,
  O365_BUSINESS_ESSENTIALS: 24,
  O365_BUSINESS_ESSENTIALS_INDIA: 0,
  O365_BUSINESS_PREMIUM: 20,
  O365_BUSINESS_PREMIUM_INDIA: 0,
  O365_PROPLUS: 6,
  O365_E1: 8,
  O365_E3: 11,
  O365_E5: 5,
  EXCHANGE_ONLINE_PLAN_1: 4,
  SHAREPOINT_ONLINE_PLAN_1: 2,
  SKYPE_FOR_BUSINESS_ONLINE_PLAN_2: 1,
  POWER_BI_PRO: 2,
  CLOUD_PBX: 1,
};
const INDIA_VARIANT: Partial<Record<OfferId, OfferId>> = {
  O365_BUSINESS: 'O365_BUSINESS_INDIA',
  O365_BUSINESS_ESSENTIALS: 'O365_BUSINESS_ESSENTIALS_INDIA',
  O365_BUSINESS_PREMIUM: 'O365_BUSINESS_PREMIUM_INDIA',
};
const pickStatus = weighted(SUBSCRIPTION_STATUSES, STATUS_WEIGHTS);
const pickChannel = weighted(CHANNELS, CHANNEL_WEIGHTS);
const pickAdminStatus = weighted(DELEGATED_ADMIN_STATUSES, ADMIN_WEIGHTS);
const pickOffer = weighted(OFFER_IDS, OFFER_WEIGHTS);
const ADD_ONS = OFFER_IDS.filter((id) => CATALOG[id].kind === 'standalone');
const EMAIL_NAMES = new Map([...FIRST_NAMES, ...LAST_NAMES].map((n) => [n, asciiSlug(n)]));
const DEPARTMENTS = [
  'HQ',
  'Sales',
  'Finance',
  'Warehouse',
  'R&D',
  'Support',
  'Marketing',
  'Field staff',
  'Legal',
];
const OTHER_ADMIN_SERVICES = [
  'Exchange Online',
  'SharePoint Online',
  'Skype for Business Online',
  'Power BI',
];

function quantityFor(random: Random, offerId: OfferId): number {
  const { maxQuantity } = CATALOG[offerId];
  // Log-uniform: many small tenants, a few large ones; now and then a Business offer over its limit.
  const cap = Math.min(maxQuantity, 5000);
  const quantity = Math.max(1, Math.floor(Math.exp(random.next() * Math.log(cap))));
  return maxQuantity <= 300 && random.chance(0.02) ? random.int(301, 400) : quantity;
}

/** Names are unique by their folded letters and digits ("Société Lamna" = "societe-lamna"). */
function nameKey(name: string): string {
  return fold(name).replace(/[^\p{L}\p{N}]+/gu, '');
}

function asciiSlug(text: string): string {
  return fold(text).replace(/[^a-z0-9]+/g, '');
}

// ---------------------------------------------------------------------------------------------------------

/** `count` customers, always the same for the same seed. */
export function generateCustomers(count: number, seed = 1): Customer[] {
  const random = new Random(seed);
  const usedNames = new Set<string>();
  const usedDomains = new Set<string>();
  const numbered = new Map<string, number>();
  const customers: Customer[] = [];
  let subscriptionCounter = 0;

  for (let c = 0; c < count; c++) {
    const country = pickCountry(random);
    // Unique distinctive names: draw again, then add a city, then a number, when the name is taken.
    let { name, slug } = country.name(random);
    let key = nameKey(name);
    for (let retry = 0; retry < 3 && usedNames.has(key); retry++) {
      ({ name, slug } = country.name(random));
      key = nameKey(name);
    }
    if (usedNames.has(key)) {
      if (name.endsWith('株式会社')) {
        // A Japanese name in kanji takes its city in front: 東京山田電機株式会社.
        const [kanjiCity, city] = random.pick(KANJI_CITIES);
        name = `${kanjiCity}${name}`;
        slug = `${city}${slug ?? ''}`;
      } else {
        const city = random.pick(country.cities);
        name = `${name} ${city}`;
        slug = slug === undefined ? undefined : `${slug}${asciiSlug(city)}`;
      }
      key = nameKey(name);
    }
    if (usedNames.has(key)) {
      const base = { name, slug, key };
      let n = numbered.get(base.key) ?? 1;
      do {
        n++;
        name = `${base.name} ${n}`;
        key = nameKey(name);
      } while (usedNames.has(key));
      numbered.set(base.key, n);
      slug = base.slug === undefined ? undefined : `${base.slug}${n}`;
    }
    usedNames.add(key);
    const legalForm = name.endsWith('株式会社') ? '' : random.pick(country.legalForms);
    const companyName = legalForm === '' ? name : `${name} ${legalForm}`;

    let base = slug === undefined ? asciiSlug(name) : asciiSlug(slug);
    if (random.chance(0.1) && name.includes(' ')) {
      // Now and then a hyphenated domain: adventure-works.com.
      base = fold(name)
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
    }
    const tld = random.chance(0.35) ? 'onmicrosoft.com' : country.tld;
    let domain = `${base}.${tld}`;
    for (let n = 2; usedDomains.has(domain); n++) domain = `${base}${n}.${tld}`;
    usedDomains.add(domain);

    customers.push({
      id: random.uuid(c),
      companyProfile: { companyName, domain },
      delegatedAdmin: delegatedAdmin(random),
      subscriptions: Array.from({ length: subscriptionCount(random) }, () =>
        subscription(random, subscriptionCounter++, country.india === true, domain),
      ),
    });
  }
  return customers;
}

function subscriptionCount(random: Random): number {
  const r = random.next();
  return r < 0.4 ? 1 : r < 0.7 ? 2 : r < 0.9 ? 3 : 4;
}

function delegatedAdmin(random: Random): DelegatedAdmin[] {
  if (random.chance(0.02)) return [];
  const admin: DelegatedAdmin[] = [{ service: 'Office 365', status: pickAdminStatus(random) }];
  if (random.chance(0.1)) {
    admin.push({
      service: random.pick(OTHER_ADMIN_SERVICES),
      status: pickAdminStatus(random),
    });
  }
  return admin;
}

function subscription(random: Random, n: number, india: boolean, domain: string): Subscription {
  let offerId = pickOffer(random);
  const indiaVariant = INDIA_VARIANT[offerId];
  if (india && indiaVariant !== undefined && random.chance(0.85)) offerId = indiaVariant;
  const offer = CATALOG[offerId];
  const isTrial = random.chance(0.05);
  const quantity = isTrial ? 25 : quantityFor(random, offerId);
  const status: SubscriptionStatus = isTrial ? 'active' : pickStatus(random);
  const channel = pickChannel(random);
  const sub: {
    -readonly [K in keyof Subscription]: Subscription[K];
  } = {
    id: random.uuid(n),
    offerId,
    quantity,
    status,
    channel,
  };
  if (random.chance(0.3)) {
    sub.friendlyName = `${offer.shortNames[0] ?? offer.name} for ${random.pick(DEPARTMENTS)}`;
  }
  if (isTrial) sub.isTrial = true;
  if (offer.kind === 'suite' && random.chance(0.08)) {
    const first = random.pick(ADD_ONS);
    const second = random.pick(ADD_ONS);
    sub.addOns = first === second || random.chance(0.5) ? [first] : [first, second];
  }
  if (random.chance(0.2)) {
    sub.users = users(random, Math.min(quantity, random.int(1, 3)), domain, offer.services);
  }
  return sub;
}

function users(
  random: Random,
  count: number,
  domain: string,
  services: readonly ServiceKey[],
): UserLicense[] {
  const list: UserLicense[] = [];
  for (let u = 0; u < count; u++) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const handle = `${EMAIL_NAMES.get(first) ?? ''}.${EMAIL_NAMES.get(last) ?? ''}${u === 0 ? '' : u}`;
    const disabled = services.length > 1 && random.chance(0.2) ? [random.pick(services)] : undefined;
    list.push({
      objectId: random.uuid(u),
      name: `${first} ${last}`,
      email: `${handle}@${domain}`,
      ...(disabled === undefined ? {} : { disabledServices: disabled }),
    });
  }
  return list;
}
