/**
 * Named leases in the shared store, so that one replica at a time does a job (the Partner Center sync). A
 * lease is held until a time; a holder that stops without releasing it loses it when that time passes.
 */
export interface LeaseStore {
  /**
   * Takes the lease `name` for `holder` until `until`, or extends it (renewal): succeeds when nobody holds it,
   * when the lease ran out by `now`, or when `holder` already holds it. Atomic: of two holders racing, one wins.
   */
  acquire(name: string, holder: string, until: Date, now: Date): Promise<boolean>;
  /**
   * When the lease `name` runs out, whoever holds it (undefined when nobody does): a replica refused it knows
   * when to try again rather than wait a whole period.
   */
  heldUntil(name: string): Promise<Date | undefined>;
  /** Gives the lease up, if `holder` holds it (nothing happens otherwise). */
  release(name: string, holder: string): Promise<void>;
}
