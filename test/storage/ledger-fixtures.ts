/** The ledger tests' clock, accounts and requests, shared by the SQLite tests and the contract tests. */
import type {
  ClaimOutcome,
  Execution,
  LedgerEntry,
  UpgradeLedger,
  UpgradeOrder,
  UpgradeRequestRecord,
} from '../../src/core/ledger.js';
import type { AffectedAccount } from '../../src/rules/index.js';
import { BOB, contosoRequest } from './support.js';

export const EXPIRES = new Date('2025-03-02T10:00:00.000Z');
export const T0 = new Date('2025-03-01T10:05:00.000Z');
export const T1 = new Date('2025-03-01T10:06:00.000Z');
export const LEASE = new Date('2025-03-01T10:07:00.000Z');
export const LATER = new Date('2025-03-01T10:08:00.000Z');
export const NEXT_LEASE = new Date('2025-03-01T10:10:00.000Z');

export const ADELE: AffectedAccount = {
  objectId: 'obj-adele',
  name: 'Adele Vance',
  email: 'adele@contoso.example',
  cause: 'custom_assignment_lost',
  services: ['exchange'],
};
export const EXECUTION: Execution = { newSubscriptionId: 'sub-new-1', affectedAccounts: [ADELE] };

/** Records the Contoso request (pending until EXPIRES unless told otherwise). */
export function record(
  ledger: UpgradeLedger,
  token: string,
  overrides: Partial<UpgradeRequestRecord & UpgradeOrder> = {},
  expires = EXPIRES,
): Promise<LedgerEntry> {
  return ledger.record(contosoRequest(token, overrides), expires);
}

/** Records a request and claims it as Bob at T0 (lease until LEASE). */
export async function executing(
  ledger: UpgradeLedger,
  token: string,
  overrides: Partial<UpgradeRequestRecord & UpgradeOrder> = {},
): Promise<LedgerEntry> {
  await record(ledger, token, overrides);
  const outcome = await ledger.claim(token, BOB, T0, LEASE);
  if (outcome.kind !== 'claimed') throw new Error(`not claimed: ${outcome.kind}`);
  return outcome.entry;
}

export function entryOf(outcome: ClaimOutcome): LedgerEntry {
  if (outcome.kind === 'unknown') throw new Error('unknown token');
  return outcome.entry;
}
