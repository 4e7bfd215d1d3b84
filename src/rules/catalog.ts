/**
 * The offer catalog: ids (the directory contract, docs/directory-format.md), names, services, seat limits and
 * the CSP upgrade paths of the Partner Center article "Add licenses or services to an existing subscription"
 * (docs/rules.md, "Upgrade paths").
 */

export const SERVICE_KEYS = [
  'office-apps',
  'onedrive',
  'exchange',
  'sharepoint',
  'skype',
  'yammer',
  'compliance',
  'phone-system',
  'audio-conferencing',
  'advanced-threat-protection',
  'power-bi-pro',
  'analytics',
] as const;
export type ServiceKey = (typeof SERVICE_KEYS)[number];

export const OFFER_IDS = [
  'O365_BUSINESS',
  'O365_BUSINESS_INDIA',
  'O365_BUSINESS_ESSENTIALS',
  'O365_BUSINESS_ESSENTIALS_INDIA',
  'O365_BUSINESS_PREMIUM',
  'O365_BUSINESS_PREMIUM_INDIA',
  'O365_PROPLUS',
  'O365_E1',
  'O365_E3',
  'O365_E5',
  'EXCHANGE_ONLINE_PLAN_1',
  'SHAREPOINT_ONLINE_PLAN_1',
  'SKYPE_FOR_BUSINESS_ONLINE_PLAN_2',
  'POWER_BI_PRO',
  'CLOUD_PBX',
] as const;
export type OfferId = (typeof OFFER_IDS)[number];

/** The service a partner needs delegated admin privileges for (condition C2). */
type AdminService =
  'Office 365' | 'Exchange Online' | 'SharePoint Online' | 'Skype for Business Online' | 'Power BI';

interface Offer {
  readonly id: OfferId;
  /** The catalog (2016) name, used in every answer. */
  readonly name: string;
  /** The name Microsoft has used since 2020, where it changed. */
  readonly name2020?: string;
  /** Short forms people type ("E3", "Business Premium"). */
  readonly shortNames: readonly string[];
  readonly kind: 'suite' | 'standalone';
  readonly india: boolean;
  readonly adminService: AdminService;
  readonly services: readonly ServiceKey[];
  readonly minQuantity: number;
  readonly maxQuantity: number;
}

/** "No practical maximum" (Enterprise offers, ProPlus, standalone services). */
export const UNLIMITED_SEATS = 1_000_000;
const BUSINESS_MAX_SEATS = 300;

const E1: readonly ServiceKey[] = ['exchange', 'sharepoint', 'onedrive', 'skype', 'yammer'];
const E3: readonly ServiceKey[] = [...E1, 'office-apps', 'compliance'];
const E5: readonly ServiceKey[] = [
  ...E3,
  'phone-system',
  'audio-conferencing',
  'advanced-threat-protection',
  'power-bi-pro',
  'analytics',
];
const BUSINESS: readonly ServiceKey[] = ['office-apps', 'onedrive'];
const ESSENTIALS: readonly ServiceKey[] = ['exchange', 'sharepoint', 'onedrive', 'skype', 'yammer'];
const PREMIUM: readonly ServiceKey[] = [
  'office-apps',
  'exchange',
  'sharepoint',
  'onedrive',
  'skype',
  'yammer',
];

function suite(
  id: OfferId,
  name: string,
  services: readonly ServiceKey[],
  extra: { name2020?: string; shortNames?: string[]; india?: boolean; maxQuantity?: number } = {},
): Offer {
  return {
    id,
    name,
    ...(extra.name2020 === undefined ? {} : { name2020: extra.name2020 }),
    shortNames: extra.shortNames ?? [],
    kind: 'suite',
    india: extra.india ?? false,
    adminService: 'Office 365',
    services,
    minQuantity: 1,
    maxQuantity: extra.maxQuantity ?? UNLIMITED_SEATS,
  };
}

function standalone(
  id: OfferId,
  name: string,
  adminService: AdminService,
  service: ServiceKey,
  shortNames: string[],
): Offer {
  return {
    id,
    name,
    shortNames,
    kind: 'standalone',
    india: false,
    adminService,
    services: [service],
    minQuantity: 1,
    maxQuantity: UNLIMITED_SEATS,
  };
}

const business = { maxQuantity: BUSINESS_MAX_SEATS };

export const CATALOG: Readonly<Record<OfferId, Offer>> = {
  O365_BUSINESS: suite('O365_BUSINESS', 'Office 365 Business', BUSINESS, {
    ...business,
    name2020: 'Microsoft 365 Apps for business',
    shortNames: ['Business', 'Apps for business'],
  }),
  O365_BUSINESS_INDIA: suite('O365_BUSINESS_INDIA', 'Office 365 Business India', BUSINESS, {
    ...business,
    india: true,
    shortNames: ['Business India'],
  }),
  O365_BUSINESS_ESSENTIALS: suite('O365_BUSINESS_ESSENTIALS', 'Office 365 Business Essentials', ESSENTIALS, {
    ...business,
    name2020: 'Microsoft 365 Business Basic',
    shortNames: ['Business Essentials', 'Essentials', 'Business Basic'],
  }),
  O365_BUSINESS_ESSENTIALS_INDIA: suite(
    'O365_BUSINESS_ESSENTIALS_INDIA',
    'Office 365 Business Essentials India',
    ESSENTIALS,
    { ...business, india: true, shortNames: ['Business Essentials India', 'Essentials India'] },
  ),
  O365_BUSINESS_PREMIUM: suite('O365_BUSINESS_PREMIUM', 'Office 365 Business Premium', PREMIUM, {
    ...business,
    name2020: 'Microsoft 365 Business Standard',
    shortNames: ['Business Premium', 'Premium', 'Business Standard'],
  }),
  O365_BUSINESS_PREMIUM_INDIA: suite(
    'O365_BUSINESS_PREMIUM_INDIA',
    'Office 365 Business Premium India',
    PREMIUM,
    {
      ...business,
      india: true,
      shortNames: ['Business Premium India', 'Premium India'],
    },
  ),
  O365_PROPLUS: suite('O365_PROPLUS', 'Office 365 ProPlus', BUSINESS, {
    name2020: 'Microsoft 365 Apps for enterprise',
    shortNames: ['ProPlus', 'Pro Plus', 'Apps for enterprise'],
  }),
  O365_E1: suite('O365_E1', 'Office 365 Enterprise E1', E1, { shortNames: ['E1', 'Enterprise E1'] }),
  O365_E3: suite('O365_E3', 'Office 365 Enterprise E3', E3, { shortNames: ['E3', 'Enterprise E3'] }),
  O365_E5: suite('O365_E5', 'Office 365 Enterprise E5', E5, { shortNames: ['E5', 'Enterprise E5'] }),
  EXCHANGE_ONLINE_PLAN_1: standalone(
    'EXCHANGE_ONLINE_PLAN_1',
    'Exchange Online (Plan 1)',
    'Exchange Online',
    'exchange',
    ['Exchange Online', 'Exchange'],
  ),
  SHAREPOINT_ONLINE_PLAN_1: standalone(
    'SHAREPOINT_ONLINE_PLAN_1',
    'SharePoint Online (Plan 1)',
    'SharePoint Online',
    'sharepoint',
    ['SharePoint Online', 'SharePoint'],
  ),
  SKYPE_FOR_BUSINESS_ONLINE_PLAN_2: standalone(
    'SKYPE_FOR_BUSINESS_ONLINE_PLAN_2',
    'Skype for Business Online (Plan 2)',
    'Skype for Business Online',
    'skype',
    ['Skype for Business Online', 'Skype for Business'],
  ),
  POWER_BI_PRO: standalone('POWER_BI_PRO', 'Power BI Pro', 'Power BI', 'power-bi-pro', ['Power BI']),
  CLOUD_PBX: standalone(
    'CLOUD_PBX',
    'Skype for Business Cloud PBX',
    'Skype for Business Online',
    'phone-system',
    ['Cloud PBX', 'Phone System'],
  ),
};

/**
 * The supported upgrade paths of the non-India sources (docs/rules.md, "Upgrade paths"). The India rule:
 * India sources go to Business Premium India instead of Business Premium (see `upgradeTargets`).
 */
const UPGRADE_PATHS: Partial<Record<OfferId, readonly OfferId[]>> = {
  O365_BUSINESS: ['O365_BUSINESS_PREMIUM', 'O365_PROPLUS', 'O365_E3', 'O365_E5'],
  O365_BUSINESS_PREMIUM: ['O365_E3', 'O365_E5'],
  O365_BUSINESS_ESSENTIALS: ['O365_BUSINESS_PREMIUM', 'O365_E1', 'O365_E3', 'O365_E5'],
};

/** The India sources and the non-India row whose targets they share (the India rule). */
const INDIA_SOURCES: Partial<Record<OfferId, OfferId>> = {
  O365_BUSINESS_INDIA: 'O365_BUSINESS',
  O365_BUSINESS_ESSENTIALS_INDIA: 'O365_BUSINESS_ESSENTIALS',
};

/** The CSP upgrade targets of an offer, in the table's order; empty when the offer has no upgrade path. */
export function upgradeTargets(offerId: OfferId): readonly OfferId[] {
  const indiaRow = INDIA_SOURCES[offerId];
  if (indiaRow !== undefined) {
    return (UPGRADE_PATHS[indiaRow] ?? []).map((t) =>
      t === 'O365_BUSINESS_PREMIUM' ? 'O365_BUSINESS_PREMIUM_INDIA' : t,
    );
  }
  return UPGRADE_PATHS[offerId] ?? [];
}

export function hasUpgradePath(offerId: OfferId): boolean {
  return upgradeTargets(offerId).length > 0;
}

/** Whether the India rule changed this source's targets. */
export function indiaRuleApplies(offerId: OfferId): boolean {
  return INDIA_SOURCES[offerId] !== undefined;
}

/** Every offer that some source can be upgraded to. */
export function allUpgradeTargets(): readonly OfferId[] {
  const all = new Set<OfferId>();
  for (const source of OFFER_IDS) for (const t of upgradeTargets(source)) all.add(t);
  return OFFER_IDS.filter((id) => all.has(id));
}

export function isOfferId(value: string): value is OfferId {
  return (OFFER_IDS as readonly string[]).includes(value);
}

/** The services the target adds to the source (target's services minus the source's). */
export function additionalServices(source: OfferId, target: OfferId): readonly ServiceKey[] {
  const have = new Set(CATALOG[source].services);
  return CATALOG[target].services.filter((s) => !have.has(s));
}

/** Whether the partner's privileges for `held` cover an offer administered under `needed`. */
export function adminServiceCovers(held: string, needed: AdminService): boolean {
  return held === needed || held === 'Office 365';
}
