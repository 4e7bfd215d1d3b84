/** The customer repository port over the SQLite directory. */
import type { CustomerChange, CustomerRepository, DirectoryInfo } from '../core/customers.js';
import type { CustomerName } from '../directory/lookup-types.js';
import type { Customer } from '../rules/index.js';
import type { SqliteDirectory } from './sqlite-directory.js';

/** Customers handed over at a time by `pages()`. */
const PAGE = 500;

export class SqliteCustomerRepository implements CustomerRepository {
  constructor(private readonly directory: SqliteDirectory) {}

  get info(): DirectoryInfo {
    return this.directory.info;
  }

  async get(customerId: string): Promise<Customer | undefined> {
    return this.directory.byId(customerId);
  }

  async *pages(): AsyncIterable<readonly Customer[]> {
    let page: Customer[] = [];
    for (const customer of this.directory.all()) {
      page.push(customer);
      if (page.length === PAGE) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  async names(): Promise<readonly CustomerName[]> {
    return [...this.directory.names()];
  }

  async count(): Promise<number> {
    return this.directory.count();
  }

  onChanged(listener: (change: CustomerChange) => void): () => void {
    return this.directory.onChanged(listener);
  }
}
