/** The contract of customer lookup (implemented by customer-index.ts). */
import type { Customer } from '../rules/index.js';

/** What the lookup knows of a customer: its id, name and domain (the directory has the rest). */
export type CustomerName = Pick<Customer, 'id' | 'companyProfile'>;

export interface CustomerCandidate {
  readonly customer: CustomerName;
  /** Similarity of the query to the best of the customer's names, 0 (nothing alike) to 1 (same name). */
  readonly score: number;
  /** Which of the customer's names matched best. */
  readonly matchedOn: 'name' | 'domain';
}

export type LookupResult =
  /** One clear match (it may still come with runner-up candidates). */
  | {
      readonly kind: 'match';
      readonly customer: CustomerName;
      readonly candidates: readonly CustomerCandidate[];
    }
  /** Several close matches: ask which one. */
  | { readonly kind: 'ambiguous'; readonly candidates: readonly CustomerCandidate[] }
  /** Nothing close enough: say so, and suggest the closest names. */
  | { readonly kind: 'none'; readonly suggestions: readonly CustomerCandidate[] };

/** A place in free text where a customer is named. */
export interface CustomerMention {
  /** The text as written, e.g. "contosso" in "can contosso upgrade?". */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly result: LookupResult;
}

export interface CustomerLookup {
  /** Ranked candidates for a name or domain, best first. */
  search(query: string, limit?: number): readonly CustomerCandidate[];
  /** One match, ambiguous, or none with suggestions. */
  resolve(query: string): LookupResult;
  /** The best customer mention inside a sentence in any of en/fr/ja, or undefined when none. */
  findMention(text: string): CustomerMention | undefined;
  /** Keep the index in step after a customer changed or was added. */
  upsert(customer: CustomerName): void;
  /** Keep the index in step after a customer was removed. */
  remove(customerId: string): void;
}
