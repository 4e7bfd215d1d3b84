import { describe, expect, it } from 'vitest';
import { allUpgradeTargets, customersEligibleFor, FleetAggregate } from '../../src/rules/index.js';
import { generateCustomers } from '../support/generate-customers.js';
import { customer, sub } from './fixtures.js';

describe('customersEligibleFor (the fleet question)', () => {
  const ready = customer([sub('O365_BUSINESS_ESSENTIALS', { id: 'a-1' }), sub('O365_E1', { id: 'a-2' })], {
    id: 'a',
    companyProfile: { companyName: 'Alpine Ski House', domain: 'alpine.example' },
  });
  const trial = customer([sub('O365_BUSINESS_ESSENTIALS', { id: 'b-1', isTrial: true })], {
    id: 'b',
    companyProfile: { companyName: 'Blue Yonder', domain: 'blue.example' },
  });
  const elsewhere = customer([sub('O365_BUSINESS_ESSENTIALS', { id: 'c-1', channel: 'other-partner' })], {
    id: 'c',
    companyProfile: { companyName: 'Coho Winery', domain: 'coho.example' },
  });
  const noPath = customer([sub('O365_E5', { id: 'd-1' })], {
    id: 'd',
    companyProfile: { companyName: 'Datum', domain: 'datum.example' },
  });

  it('lists who can move (first eligible subscription), counts the blocked by reason and those without a path', () => {
    const answer = customersEligibleFor([ready, trial, elsewhere, noPath], 'O365_E3');
    expect(answer.eligible).toEqual([
      { customerId: 'a', companyName: 'Alpine Ski House', subscriptionId: 'a-1', seats: expect.any(Number) },
    ]);
    expect(answer.blockedCount).toBe(2);
    expect(answer.blockedByReason).toEqual({ trial_subscription: 1, bought_elsewhere: 1 });
    expect(answer.noPathCount).toBe(1);
  });

  it('keeps ids, names and seats only: no eligible customer object is held by the answer', () => {
    const answer = customersEligibleFor([ready], 'O365_E3');
    for (const match of answer.eligible) {
      expect(Object.values(match).every((v) => typeof v === 'string' || typeof v === 'number')).toBe(true);
    }
  });

  it('reads the customers once, in one pass (a directory can stream them)', () => {
    let reads = 0;
    function* stream() {
      for (const c of [ready, trial, elsewhere, noPath]) {
        reads++;
        yield c;
      }
    }
    customersEligibleFor(stream(), 'O365_E3');
    expect(reads).toBe(4);
  });
});

describe('FleetAggregate (the fleet answer kept up to date, issue 16)', () => {
  it('after customers are added, changed and removed, answers what counting them all again answers', () => {
    const customers = generateCustomers(400, 5);
    for (const target of allUpgradeTargets()) {
      const aggregate = new FleetAggregate(target);
      for (const c of customers) aggregate.set(c);
      const all = customersEligibleFor(customers, target);
      expect(aggregate.answer()).toEqual(all);
      // A page is that slice of the whole answer, with the whole count.
      expect(aggregate.answer({ offset: 10, limit: 10 })).toEqual({
        ...all,
        eligible: all.eligible.slice(10, 20),
      });
      // Change every third customer (its subscriptions shuffled into another's), remove every seventh.
      const now = new Map(customers.map((c) => [c.id, c]));
      customers.forEach((c, i) => {
        if (i % 3 === 0) {
          const other = customers[(i * 7 + 1) % customers.length]!;
          const changed = {
            ...c,
            subscriptions: other.subscriptions.map((s) => ({ ...s, id: `${c.id}-${s.id}` })),
          };
          now.set(c.id, changed);
          aggregate.set(changed);
        }
        if (i % 7 === 0) {
          now.delete(c.id);
          aggregate.remove(c.id);
        }
      });
      expect(aggregate.answer()).toEqual(customersEligibleFor([...now.values()], target));
      expect(aggregate.size).toBe(now.size);
    }
  });

  it('sorts by seats, largest first, and gives the total', () => {
    const answer = customersEligibleFor(generateCustomers(300, 8), 'O365_E3');
    const seats = answer.eligible.map((m) => m.seats);
    expect(seats).toEqual([...seats].sort((a, b) => b - a));
    expect(answer.eligibleSeats).toBe(seats.reduce((a, b) => a + b, 0));
  });
});
