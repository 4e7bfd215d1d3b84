/** Counts upgrade decisions as the ledger makes them: wraps the ledger the upgrade flow is given. */
import type { UpgradeLedger } from '../storage/upgrade-ledger.js';
import type { Metrics } from './metrics.js';

export function countingLedger(ledger: UpgradeLedger, metrics: Metrics): UpgradeLedger {
  return {
    record: (request) => ledger.record(request),
    get: (token) => ledger.get(token),
    history: (customerId) => ledger.history(customerId),
    confirm(token, by, now, plan) {
      const outcome = ledger.confirm(token, by, now, plan);
      if (outcome.kind === 'done' || outcome.kind === 'refused' || outcome.kind === 'failed') {
        metrics.upgrade(outcome.kind);
      }
      return outcome;
    },
    cancel(token, by, now) {
      const outcome = ledger.cancel(token, by, now);
      if (outcome.kind === 'cancelled') metrics.upgrade('cancelled');
      return outcome;
    },
  };
}
