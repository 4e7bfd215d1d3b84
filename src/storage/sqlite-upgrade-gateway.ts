/**
 * The embedded upgrade gateway: carries a change out in the SQLite directory (an upgrade: the source subscription
 * cancelled, the new one added; licences: the subscription's seats raised) and records the result under its idempotency key, in one transaction. Run
 * again with the same key, it answers what it did the first time and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  planLicenceOrder,
  planOrder,
  UpgradeFailedError,
  UpgradeRefusedError,
  type UpgradeGateway,
} from '../core/gateway.js';
import {
  isLicenceOrder,
  type ChangeOrder,
  type Execution,
  type LicenceOrder,
  type UpgradeOrder,
} from '../core/ledger.js';
import { UpgradeConflictError } from '../directory/upgrade-checks.js';
import type { AffectedAccount, Customer, LicencePlan, UpgradePlan } from '../rules/index.js';
import { errorCode, errorMessage } from './errors.js';
import type { PreparedUpgrade, SqliteDirectory } from './sqlite-directory.js';

/** Fault injection for tests. */
export interface GatewayFaults {
  /** Called inside the transaction after the directory write and before the execution is recorded. */
  readonly beforeCommit?: (plan: UpgradePlan | LicencePlan) => void;
}

interface ExecutionRow {
  readonly new_subscription_id: string;
  readonly affected_accounts: string;
}

type Outcome = { readonly kind: 'stored'; readonly execution: Execution } | PreparedExecution;

interface PreparedExecution {
  readonly kind: 'applied';
  readonly execution: Execution;
  readonly prepared: PreparedUpgrade;
}

export class SqliteUpgradeGateway implements UpgradeGateway {
  /** Changes the bot's own directory only: Partner Center is not told (the embedded demo). */
  readonly system = 'embedded';
  readonly judgesEligibility = false;
  private readonly select: Database.Statement<[string], ExecutionRow>;
  private readonly insert: Database.Statement<[string, string, string, string, string, string]>;

  constructor(
    private readonly db: Database.Database,
    private readonly directory: SqliteDirectory,
    private readonly options: { readonly faults?: GatewayFaults; readonly now?: () => Date } = {},
  ) {
    this.select = db.prepare<[string], ExecutionRow>(
      'SELECT new_subscription_id, affected_accounts FROM executions WHERE idempotency_key = ?',
    );
    this.insert = db.prepare(
      `INSERT INTO executions (idempotency_key, customer_id, subscription_id, new_subscription_id,
         affected_accounts, at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
  }

  async execute(order: ChangeOrder, idempotencyKey: string): Promise<Execution> {
    let outcome: Outcome;
    try {
      outcome = this.db.transaction(() => this.apply(order, idempotencyKey)).immediate();
    } catch (error) {
      if (error instanceof UpgradeRefusedError || error instanceof UpgradeFailedError) throw error;
      // The write lock was not had in time: nothing happened, and the same key can run again later.
      if (errorCode(error) === 'SQLITE_BUSY') throw error;
      // Anything else rolled the whole transaction back: nothing changed.
      throw new UpgradeFailedError(errorMessage(error), { cause: error });
    }
    if (outcome.kind === 'applied') this.directory.upgradeCommitted(outcome.prepared);
    return outcome.execution;
  }

  private apply(order: ChangeOrder, key: string): Outcome {
    const stored = this.select.get(key);
    if (stored !== undefined) {
      return {
        kind: 'stored',
        execution: {
          newSubscriptionId: stored.new_subscription_id,
          affectedAccounts: JSON.parse(stored.affected_accounts) as AffectedAccount[],
        },
      };
    }
    const customer = this.directory.currentForWrite(order.customerId);
    const { prepared, execution } = isLicenceOrder(order)
      ? this.addLicences(customer, order)
      : this.upgrade(customer, order);
    const at = (this.options.now?.() ?? new Date()).toISOString();
    this.insert.run(
      key,
      order.customerId,
      order.subscriptionId,
      execution.newSubscriptionId,
      JSON.stringify(execution.affectedAccounts),
      at,
    );
    return { kind: 'applied', execution, prepared };
  }

  private upgrade(customer: Customer | undefined, order: UpgradeOrder): Applied {
    const plan = planOrder(customer, order, randomUUID());
    let prepared: PreparedUpgrade;
    try {
      prepared = this.directory.prepareUpgrade(plan);
    } catch (error) {
      if (error instanceof UpgradeConflictError && error.conflict === 'not_eligible') {
        throw new UpgradeRefusedError(error.reasons, error.message);
      }
      throw error;
    }
    this.options.faults?.beforeCommit?.(plan);
    return {
      prepared,
      execution: { newSubscriptionId: plan.newSubscription.id, affectedAccounts: plan.affectedAccounts },
    };
  }

  /** The seats raised in the same transaction as the check: a count changed meanwhile is refused, never overwritten. */
  private addLicences(customer: Customer | undefined, order: LicenceOrder): Applied {
    const plan = planLicenceOrder(customer, order);
    const prepared = this.directory.prepareLicences(plan);
    this.options.faults?.beforeCommit?.(plan);
    return { prepared, execution: { newSubscriptionId: plan.subscription.id, affectedAccounts: [] } };
  }
}

interface Applied {
  readonly prepared: PreparedUpgrade;
  readonly execution: Execution;
}
