/** Shared by the directory tests: a plan that must be plannable, and the conflict a refused plan throws. */
import { expect } from 'vitest';
import { UpgradeConflictError } from '../../src/directory/upgrade-checks.js';
import { planUpgrade, type Customer, type OfferId, type UpgradePlan } from '../../src/rules/index.js';

export function plan(
  customer: Customer,
  subscriptionId: string,
  target: OfferId,
  newId: string,
): UpgradePlan {
  const result = planUpgrade(
    customer,
    { subscriptionId, target, upgradeType: 'upgrade_with_license_transfer' },
    newId,
  );
  if (!result.ok) throw new Error(`not plannable: ${JSON.stringify(result)}`);
  return result.plan;
}

export function conflictOf(run: () => unknown): UpgradeConflictError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UpgradeConflictError);
    return error as UpgradeConflictError;
  }
  throw new Error('expected an UpgradeConflictError');
}
