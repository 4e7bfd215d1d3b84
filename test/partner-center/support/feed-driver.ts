/**
 * Runs the Partner Center customer feed in a process of its own, started with NODE_EXTRA_CA_CERTS pointing at
 * the simulator's CA (as client-driver.ts does for the client): reads every page (and which customers could
 * not be read), then each customer asked for one by one, and prints one JSON line.
 */
import { PartnerCenterClient, PartnerCenterFeed } from '../../../src/partner-center/index.js';
import type { UnreadableCustomer } from '../../../src/core/customer-feed.js';
import type { Customer } from '../../../src/rules/index.js';

export interface FeedDriverInput {
  readonly url: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly pageSize: number;
  /** Customers to read one by one after the listing. */
  readonly customerIds: readonly string[];
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: { name: string; message: string } };

export interface FeedDriverOutput {
  readonly pages: Outcome<Customer[][]>;
  /** The customers listed whose subscriptions could not be read, over every page read. */
  readonly unreadable: UnreadableCustomer[];
  readonly customers: Outcome<Customer | null>[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as FeedDriverInput;
const client = new PartnerCenterClient({
  tenantId: input.tenantId,
  clientId: input.clientId,
  credential: { clientSecret: input.clientSecret },
  apiBaseUrl: input.url,
  authorityHost: input.url,
  pageSize: input.pageSize,
  retries: 1,
  minDelayMs: 10,
  maxDelayMs: 20,
  timeoutMs: 5000,
});
const feed = new PartnerCenterFeed(client);

async function outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const e = error as Error;
    return { ok: false, error: { name: e.name, message: e.message } };
  }
}

const unreadable: UnreadableCustomer[] = [];
const pages = await outcome(async () => {
  const all: Customer[][] = [];
  for await (const page of feed.pages()) {
    all.push([...page.customers]);
    unreadable.push(...page.unreadable);
  }
  return all;
});
const customers: Outcome<Customer | null>[] = [];
for (const id of input.customerIds) {
  customers.push(await outcome(async () => (await feed.customer(id)) ?? null));
}
await client.close();
const output: FeedDriverOutput = { pages, unreadable, customers };
process.stdout.write(`${JSON.stringify(output)}\n`);
