/** The customer generator of the tests and benchmarks (generate-customers.ts). */
import { describe, expect, it } from 'vitest';
import { coreWords, words } from '../../src/directory/name-normalize.js';
import { DirectoryFileSchema } from '../../src/directory/schema.js';
import type { Customer } from '../../src/rules/index.js';
import { generateCustomers } from './generate-customers.js';

const nameOf = (c: { companyProfile: { companyName: string } }): string => c.companyProfile.companyName;

describe('generateCustomers', () => {
  const customers = generateCustomers(3000, 7);

  it('is deterministic for a seed, and differs between seeds', () => {
    expect(generateCustomers(3000, 7)).toEqual(customers);
    expect(generateCustomers(50, 7)).toEqual(customers.slice(0, 50));
    expect(nameOf(generateCustomers(1, 8)[0] as Customer)).not.toBe(nameOf(customers[0] as Customer));
  });

  it('gives unique ids, subscription ids, domains and distinctive names', () => {
    const unique = <T>(values: T[]): boolean => new Set(values).size === values.length;
    expect(unique(customers.map((c) => c.id))).toBe(true);
    expect(unique(customers.flatMap((c) => c.subscriptions.map((s) => s.id)))).toBe(true);
    expect(unique(customers.map((c) => c.companyProfile.domain))).toBe(true);
    expect(unique(customers.map((c) => coreWords(words(nameOf(c))).join('')))).toBe(true);
  });

  it('produces valid directory data', () => {
    const parsed = DirectoryFileSchema.safeParse({ partner: { name: 'Test' }, customers });
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(true);
  });

  it('varies the data: accents, legal forms, India offers, statuses, channels, trials, add-ons, users', () => {
    const subscriptions = customers.flatMap((c) => c.subscriptions);
    const allNames = customers.map(nameOf).join('\n');
    expect(allNames).toMatch(/[éèüöä]/);
    for (const form of [' Ltd', ' Inc', ' GmbH', ' SA', ' KK', ' Pvt Ltd', '株式会社'])
      expect(allNames).toContain(form);
    expect(customers.some((c) => c.companyProfile.domain.endsWith('.onmicrosoft.com'))).toBe(true);
    expect(customers.some((c) => /\.(co\.uk|de|fr|in|co\.jp)$/.test(c.companyProfile.domain))).toBe(true);
    expect(subscriptions.some((s) => s.offerId.endsWith('_INDIA'))).toBe(true);
    expect(new Set(subscriptions.map((s) => s.status)).size).toBe(6);
    expect(new Set(subscriptions.map((s) => s.channel)).size).toBe(5);
    expect(subscriptions.some((s) => s.isTrial === true)).toBe(true);
    expect(subscriptions.some((s) => (s.addOns ?? []).length > 0)).toBe(true);
    expect(
      subscriptions.some((s) => (s.users ?? []).some((u) => (u.disabledServices ?? []).length > 0)),
    ).toBe(true);
    for (const c of customers) expect(c.subscriptions.length).toBeGreaterThanOrEqual(1);
    for (const c of customers) expect(c.subscriptions.length).toBeLessThanOrEqual(4);
    const active = customers.filter(
      (c) => c.delegatedAdmin !== 'unknown' && c.delegatedAdmin.some((d) => d.status === 'active'),
    ).length;
    expect(active / customers.length).toBeGreaterThan(0.8);
  });

  it('generates 100,000 customers (its speed is in `npm run bench`)', () => {
    expect(generateCustomers(100_000, 1)).toHaveLength(100_000);
  });
});
