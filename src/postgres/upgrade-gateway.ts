/**
 * The embedded upgrade gateway in PostgreSQL: carries a change out in the shared directory (an upgrade: the source
 * subscription cancelled, the new one added; licences: the subscription's seats raised) and records it under its idempotency key, in one transaction that
 * first locks the customer's row (SELECT … FOR UPDATE): replicas running the same key, or two changes to one
 * customer, queue on that lock. Run again with the same key, it answers what it did the first time.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import {
  planLicenceOrder,
  planOrder,
  UpgradeFailedError,
  UpgradeRefusedError,
  type UpgradeGateway,
} from '../core/gateway.js';
import { isLicenceOrder, type ChangeOrder, type Execution, type UpgradeOrder } from '../core/ledger.js';
import { UpgradeConflictError, checkedUpgrade } from '../directory/upgrade-checks.js';
import {
  applyLicencePlan,
  type AffectedAccount,
  type Customer,
  type LicencePlan,
  type UpgradePlan,
} from '../rules/index.js';
import { errorMessage } from '../storage/errors.js';
import { nextRevision, type PgCustomerRepository } from './customers.js';
import { inTransaction } from './migrations.js';

/** Fault injection for tests. */
export interface PgGatewayFaults {
  /** Called inside the transaction after the directory write and before the execution is recorded. */
  readonly beforeCommit?: (plan: UpgradePlan | LicencePlan) => void;
}

/**
 * Errors after which the outcome is not known for sure (the connection went, perhaps during COMMIT; the server
 * is shutting down) or that pass (serialisation, deadlock, lock timeout, too many connections): thrown as they
 * are, so that the caller keeps the claim and runs the same key again later. Any other error, from the server
 * or from the checks, rolled the transaction back: nothing changed.
 */
function isPassing(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    const state = error.code ?? '';
    return /^(08|40|53|57)/.test(state) || state === '55P03';
  }
  if (error === null || typeof error !== 'object') return false;
  // A connection-level error (node-postgres or the socket): a system error code, or a lost connection.
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  return typeof message === 'string' && /connection|terminat|timeout/i.test(message);
}

export class PgUpgradeGateway implements UpgradeGateway {
  /** Changes the bot's own directory only: Partner Center is not told (the embedded demo). */
  readonly system = 'embedded';
  readonly judgesEligibility = false;
  constructor(
    private readonly pool: Pool,
    private readonly customers: PgCustomerRepository,
    private readonly options: { readonly faults?: PgGatewayFaults; readonly now?: () => Date } = {},
  ) {}

  async execute(order: ChangeOrder, idempotencyKey: string): Promise<Execution> {
    let execution: Execution;
    try {
      execution = await inTransaction(this.pool, (client) => this.apply(client, order, idempotencyKey));
    } catch (error) {
      if (error instanceof UpgradeRefusedError || error instanceof UpgradeFailedError) throw error;
      if (error instanceof UpgradeConflictError) {
        if (error.conflict === 'not_eligible') throw new UpgradeRefusedError(error.reasons, error.message);
        throw new UpgradeFailedError(error.message, { cause: error });
      }
      if (isPassing(error)) throw error;
      throw new UpgradeFailedError(errorMessage(error), { cause: error });
    }
    await this.customers.refresh();
    return execution;
  }

  private async apply(client: PoolClient, order: ChangeOrder, key: string): Promise<Execution> {
    // The customer's row first: a second run of the same key waits here, then finds the execution below.
    const { rows: customers } = await client.query<{ document: Customer }>(
      'SELECT document FROM customers WHERE id = $1 FOR UPDATE',
      [order.customerId],
    );
    const { rows: stored } = await client.query<{ new_subscription_id: string; affected_accounts: unknown }>(
      'SELECT new_subscription_id, affected_accounts FROM executions WHERE idempotency_key = $1',
      [key],
    );
    if (stored[0] !== undefined) {
      return {
        newSubscriptionId: stored[0].new_subscription_id,
        affectedAccounts: stored[0].affected_accounts as AffectedAccount[],
      };
    }
    const customer = customers[0]?.document;
    const { plan, updated, execution } = isLicenceOrder(order)
      ? licencesAdded(customer, planLicenceOrder(customer, order))
      : await upgraded(client, customer, order);
    const version = await nextRevision(client);
    await client.query('UPDATE customers SET company_name = $1, document = $2, version = $3 WHERE id = $4', [
      updated.companyProfile.companyName,
      JSON.stringify(updated),
      version,
      updated.id,
    ]);
    this.options.faults?.beforeCommit?.(plan);
    await client.query(
      `INSERT INTO executions (idempotency_key, customer_id, subscription_id, new_subscription_id,
         affected_accounts, at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        key,
        order.customerId,
        order.subscriptionId,
        execution.newSubscriptionId,
        JSON.stringify(execution.affectedAccounts),
        this.options.now?.() ?? new Date(),
      ],
    );
    return execution;
  }
}

interface Applied {
  readonly plan: UpgradePlan | LicencePlan;
  readonly updated: Customer;
  readonly execution: Execution;
}

/** The upgrade checked against the customer's locked row and the owner of the new subscription's id. */
async function upgraded(
  client: PoolClient,
  customer: Customer | undefined,
  order: UpgradeOrder,
): Promise<Applied> {
  const plan = planOrder(customer, order, randomUUID());
  const newId = plan.newSubscription.id;
  const { rows: owners } = await client.query<{ document: Customer }>(
    `SELECT document FROM customers WHERE document -> 'subscriptions' @> $1::jsonb LIMIT 1`,
    [JSON.stringify([{ id: newId }])],
  );
  const updated = checkedUpgrade(customer, plan, (id) => (id === newId ? owners[0]?.document : undefined));
  return { plan, updated, execution: { newSubscriptionId: newId, affectedAccounts: plan.affectedAccounts } };
}

/** The licences added, planned on the customer's locked row (a seat count changed meanwhile was refused). */
function licencesAdded(customer: Customer | undefined, plan: LicencePlan): Applied {
  // planLicenceOrder found the customer: it is defined here.
  const updated = applyLicencePlan(customer!, plan);
  return { plan, updated, execution: { newSubscriptionId: plan.subscription.id, affectedAccounts: [] } };
}
