/** The demo directory's customer names and domains, as bare customers (no subscriptions) for lookup tests. */
import type { Customer } from '../../src/rules/index.js';

export const DEMO_NAMES: readonly (readonly [string, string])[] = [
  ['Contoso Ltd', 'contoso.onmicrosoft.com'],
  ['Fabrikam Inc', 'fabrikam.onmicrosoft.com'],
  ['Fabricam Ltd', 'fabricam.co.uk'],
  ['Northwind Traders', 'northwindtraders.onmicrosoft.com'],
  ['Wingtip Toys', 'wingtiptoys.onmicrosoft.com'],
  ['Adventure Works Cycles', 'adventure-works.com'],
  ['A. Datum Corporation', 'adatum.onmicrosoft.com'],
  ['Tailspin Toys India Pvt Ltd', 'tailspintoys.in'],
  ['Woodgrove Bank', 'woodgrovebank.onmicrosoft.com'],
  ['Société Lamna', 'lamna.fr'],
  ['Trey Research', 'treyresearch.onmicrosoft.com'],
  // Japanese and French companies, with their legal forms before or after the name.
  ['株式会社サクラ精機', 'sakura-seiki.co.jp'],
  ['ミドリ電子株式会社', 'midori-denshi.co.jp'],
  ['山田商事株式会社', 'yamada-shoji.co.jp'],
  ['(株)ヒカリ物産', 'hikari-bussan.co.jp'],
  ['Électricité Mérand SA', 'merand.fr'],
  ['Fromagerie Bérard SARL', 'fromagerie-berard.fr'],
  ['Transports Lefèvre SAS', 'transports-lefevre.fr'],
];

export function bareCustomer(companyName: string, domain: string, id = `id-${domain}`): Customer {
  return { id, companyProfile: { companyName, domain }, delegatedAdmin: [], subscriptions: [] };
}

export function demoNameCustomers(): Customer[] {
  return DEMO_NAMES.map(([name, domain]) => bareCustomer(name, domain));
}
