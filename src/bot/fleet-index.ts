/**
 * The fleet question's answers kept up to date (issue 16): one `FleetAggregate` per upgrade target, built from
 * the directory once, on the first fleet question, then changed customer by customer as the repository reports
 * changes (from this process, another replica or a sync). A fleet question then costs a copy of the eligible
 * list, not an evaluation of the whole directory: it answers in milliseconds at 100,000 customers and never
 * holds the event loop for the other users' turns.
 */
import type { CustomerRepository } from '../core/customers.js';
import {
  allUpgradeTargets,
  FleetAggregate,
  type FleetAnswer,
  type FleetPage,
  type OfferId,
} from '../rules/index.js';

/** Where the fleet answer reads its counts from. */
export interface FleetSource {
  /** The answer for `target`, with only `page` of its eligible customers. */
  answer(target: OfferId, page: FleetPage): Promise<FleetAnswer>;
}

export class FleetIndex implements FleetSource {
  private readonly aggregates = new Map<OfferId, FleetAggregate>(
    allUpgradeTargets().map((t) => [t, new FleetAggregate(t)]),
  );
  private built: Promise<void> | undefined;
  /** Customers changed while the index was being built: read again once it is. */
  private readonly changedWhileBuilding = new Set<string>();
  private building = false;
  /** Changes being applied (each reads the customer as it is now). */
  private readonly applying = new Set<Promise<void>>();
  private readonly stop: () => void;

  constructor(private readonly customers: CustomerRepository) {
    this.stop = customers.onChanged((change) => {
      const id = change.kind === 'upserted' ? change.customer.id : change.customerId;
      if (this.built === undefined) return; // not built yet: the build reads it as it is
      if (this.building) this.changedWhileBuilding.add(id);
      else this.refresh(id);
    });
  }

  /** Starts building now (at start-up), rather than on the first fleet question. */
  warm(): Promise<void> {
    return (this.built ??= this.build());
  }

  async answer(target: OfferId, page: FleetPage): Promise<FleetAnswer> {
    await this.warm();
    while (this.applying.size > 0) await Promise.all([...this.applying]);
    const aggregate = this.aggregates.get(target);
    if (aggregate === undefined) throw new Error(`${target} is not an upgrade target`);
    return aggregate.answer(page);
  }

  close(): void {
    this.stop();
  }

  private async build(): Promise<void> {
    this.building = true;
    try {
      for await (const page of this.customers.pages()) {
        for (const customer of page) for (const a of this.aggregates.values()) a.set(customer);
        // A page read from memory or SQLite resolves at once: without a turn of the event loop between pages,
        // the whole build (seconds at 100,000 customers) would hold every request, /healthz included.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.built = undefined; // the next question tries again
      throw error;
    } finally {
      this.building = false;
    }
    const changed = [...this.changedWhileBuilding];
    this.changedWhileBuilding.clear();
    for (const id of changed) this.refresh(id);
  }

  /** Reads the customer again and puts it in every aggregate (or takes it out, when it is gone). */
  private refresh(customerId: string): void {
    const task: Promise<void> = this.customers
      .get(customerId)
      .then((customer) => {
        for (const a of this.aggregates.values()) {
          if (customer === undefined) a.remove(customerId);
          else a.set(customer);
        }
      })
      .catch(() => {
        // Unreadable now: forget what was known, so that it is never counted from stale data.
        for (const a of this.aggregates.values()) a.remove(customerId);
      })
      .finally(() => this.applying.delete(task));
    this.applying.add(task);
  }
}
