/**
 * The Partner Center client: app-only sign-in (MSAL), the request budget, retries, and the calls the upgrade
 * assistant needs: every customer (following every page), their subscriptions, the upgrades of a
 * subscription, creating an upgrade, and changing a subscription's seats; both changes idempotent by a key
 * derived from the ledger's token.
 */
import type { Logger } from 'pino';
import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import type { UpgradeType } from '../rules/index.js';
import { MsalTokenProvider, type PartnerCenterCredential, type TokenProvider } from './auth.js';
import { RequestBudget, type BudgetOptions, type Lane } from './budget.js';
import {
  PartnerCenterConflictError,
  PartnerCenterHttpError,
  PartnerCenterOutcomeUnknownError,
  PartnerCenterResponseError,
  PartnerCenterUnavailableError,
} from './errors.js';
import { PartnerCenterHttp, type CallCounters, type RetryOptions } from './http.js';
import {
  CustomerSchema,
  EtaggedSubscriptionSchema,
  SubscriptionSchema,
  UpgradeResultSchema,
  UpgradeSchema,
  collectionOf,
  type PcCustomer,
  type PcEtaggedSubscription,
  type PcLink,
  type PcSubscription,
  type PcUpgrade,
  type PcUpgradeError,
  type PcUpgradeResult,
} from './schemas.js';

export const DEFAULT_API_BASE_URL = 'https://api.partnercenter.microsoft.com';

/**
 * The namespace of the MS-RequestId of a ledger entry's change (UUID v5 of the ledger token: the upgrade's
 * POST, the seats' PATCH): fixed for ever.
 */
export const UPGRADE_REQUEST_ID_NAMESPACE = '3f1d7c52-9a0b-4e6f-8c21-5b7a9d0e4f13';

export interface PartnerCenterClientOptions extends RetryOptions, BudgetOptions {
  readonly tenantId: string;
  readonly clientId: string;
  readonly credential: PartnerCenterCredential;
  /** Default https://api.partnercenter.microsoft.com. */
  readonly apiBaseUrl?: string;
  /** Default https://login.microsoftonline.com. */
  readonly authorityHost?: string;
  /** Customers per page; default 200. */
  readonly pageSize?: number;
  /** X-Locale: the language of Partner Center's texts; default en-US (offer names are matched in English). */
  readonly locale?: string;
  readonly applicationName?: string;
  readonly logger?: Logger;
  /** Another token source than MSAL with these credentials (a managed identity, say). */
  readonly tokenProvider?: TokenProvider;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface CustomerWithSubscriptions {
  readonly customer: PcCustomer;
  readonly subscriptions: readonly PcSubscription[];
}

/** A listed customer whose subscriptions Partner Center refused for good (403, 404…): `error` says why. */
export interface UnreadableCustomer {
  readonly customer: PcCustomer;
  /** A definitive 4xx, no answer after the retries, or an answer of an unexpected shape. */
  readonly error: PartnerCenterHttpError | PartnerCenterUnavailableError | PartnerCenterResponseError;
}

export interface CreateUpgradeRequest {
  readonly customerId: string;
  /** The source subscription (the REST reference's `{subscription_id}`; the SDK calls Create on it). */
  readonly subscriptionId: string;
  /** The chosen item of `getUpgrades`, sent back as it came with `quantity` and `upgradeType` set. */
  readonly upgrade: PcUpgrade;
  readonly quantity: number;
  readonly upgradeType: UpgradeType;
}

export type CreateUpgradeOutcome =
  | {
      readonly outcome: 'upgraded';
      readonly requestId: string;
      readonly targetSubscriptionId: string;
      readonly licenseErrors: PcUpgradeResult['licenseErrors'];
      readonly result: PcUpgradeResult;
    }
  /** Partner Center said no (200 with `upgradeErrors`, or a 400/409 business error): nothing changed. */
  | { readonly outcome: 'refused'; readonly requestId: string; readonly errors: readonly PcUpgradeError[] };

export interface QuantityChange {
  readonly customerId: string;
  /** The subscription as `getSubscription` returned it: sent back whole, its ETag included, `quantity` set. */
  readonly subscription: PcEtaggedSubscription;
  /** The new number of seats. */
  readonly quantity: number;
}

export type QuantityChangeOutcome =
  /** 200: changed; the subscription as Partner Center now holds it. */
  | { readonly outcome: 'changed'; readonly requestId: string; readonly subscription: PcSubscription }
  /** 202: accepted, carried out later; the subscription's `quantity` shows it once done. */
  | { readonly outcome: 'accepted'; readonly requestId: string }
  /** Partner Center said no (a 400 or 409 business error other than a stale ETag): nothing changed. */
  | {
      readonly outcome: 'refused';
      readonly requestId: string;
      readonly status: number;
      readonly code: string | number | undefined;
      readonly description: string;
    };

/** Partner Center's code for a stale ETag (a 400), beside the HTTP 412 a failed If-Match gives. */
export const STALE_ETAG_CODE = 2055;

const CustomerPage = collectionOf(CustomerSchema);
const Subscriptions = collectionOf(SubscriptionSchema);
const Upgrades = collectionOf(UpgradeSchema);

/**
 * The MS-RequestId of the change a ledger token confirms (an upgrade, or licences added): the same on every
 * retry and every resumption.
 */
export function upgradeRequestId(ledgerToken: string): string {
  return uuidv5(ledgerToken, UPGRADE_REQUEST_ID_NAMESPACE);
}

export class PartnerCenterClient {
  private readonly http: PartnerCenterHttp;
  private readonly budget: RequestBudget;
  private readonly pageSize: number;

  constructor(options: PartnerCenterClientOptions) {
    this.budget = new RequestBudget(options);
    const tokens =
      options.tokenProvider ??
      new MsalTokenProvider({
        tenantId: options.tenantId,
        clientId: options.clientId,
        credential: options.credential,
        ...(options.authorityHost === undefined ? {} : { authorityHost: options.authorityHost }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
    this.http = new PartnerCenterHttp({
      ...options,
      baseUrl: options.apiBaseUrl ?? DEFAULT_API_BASE_URL,
      tokens,
      budget: this.budget,
      locale: options.locale ?? 'en-US',
      applicationName: options.applicationName ?? 'upgrade-assistant',
    });
    this.pageSize = options.pageSize ?? 200;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new Error('pageSize must be 1 or more');
  }

  /** What the calls cost so far. */
  get counters(): Readonly<CallCounters> {
    return this.http.counters;
  }

  /** Every customer, a page at a time, following `links.next` (its uri and headers) while there is one. */
  async *customerPages(lane: Lane = 'bulk'): AsyncGenerator<readonly PcCustomer[]> {
    let link: PcLink | undefined = { uri: `/v1/customers?size=${this.pageSize}` };
    const seen = new Set<string>();
    while (link !== undefined) {
      const headers = Object.fromEntries((link.headers ?? []).map((h) => [h.key, h.value]));
      const { body } = await this.http.call({ method: 'GET', path: link.uri, lane, headers }, CustomerPage);
      const page = body as ReturnType<typeof CustomerPage.parse>;
      yield page.items;
      link = page.links?.next;
      if (link !== undefined) {
        const marker = `${link.uri} ${JSON.stringify(link.headers ?? [])}`;
        if (seen.has(marker))
          throw new PartnerCenterResponseError('the customer list sent the same next page twice');
        seen.add(marker);
      }
    }
  }

  async listCustomers(lane: Lane = 'bulk'): Promise<PcCustomer[]> {
    const all: PcCustomer[] = [];
    for await (const page of this.customerPages(lane)) all.push(...page);
    return all;
  }

  /** One customer, or undefined when Partner Center no longer has it (404). */
  async getCustomer(customerId: string, lane: Lane = 'bulk'): Promise<PcCustomer | undefined> {
    const path = `/v1/customers/${encodeURIComponent(customerId)}`;
    const answer = await this.http.call({ method: 'GET', path, lane }, CustomerSchema, [404]);
    return answer.status === 404 ? undefined : (answer.body as PcCustomer);
  }

  /**
   * A customer's subscriptions (add-ons included: they have `parentSubscriptionId`). `signal` ends the call
   * (PartnerCenterUnavailableError), as it does for `getUpgrades` and `createUpgrade`.
   */
  async listSubscriptions(
    customerId: string,
    lane: Lane = 'bulk',
    signal?: AbortSignal,
  ): Promise<PcSubscription[]> {
    const items: PcSubscription[] = [];
    let link: PcLink | undefined = { uri: `/v1/customers/${encodeURIComponent(customerId)}/subscriptions` };
    // Not paged per the documentation; a next link is followed all the same.
    while (link !== undefined) {
      const headers = Object.fromEntries((link.headers ?? []).map((h) => [h.key, h.value]));
      const { body } = await this.http.call(
        { method: 'GET', path: link.uri, lane, headers, ...(signal === undefined ? {} : { signal }) },
        Subscriptions,
      );
      const page = body as ReturnType<typeof Subscriptions.parse>;
      items.push(...page.items);
      link = page.links?.next;
    }
    return items;
  }

  /**
   * Every customer with its subscriptions, a page of customers at a time (their subscriptions fetched at once,
   * within the budget). A customer whose subscriptions Partner Center refuses for good (deleted since the
   * listing, or out of the partner's reach) comes as an `UnreadableCustomer` rather than failing the page: one
   * customer must not stop every other one from being read, nor one customer whose calls keep failing (no answer
   * after the retries, an answer we cannot read). Refused credentials fail the page, after its other calls
   * ended; a Partner Center down for every customer fails the sync there (all unreadable).
   */
  async *customersWithSubscriptions(): AsyncGenerator<
    readonly (CustomerWithSubscriptions | UnreadableCustomer)[]
  > {
    for await (const page of this.customerPages('bulk')) {
      const read = await Promise.allSettled(
        page.map(async (customer) => ({
          customer,
          subscriptions: await this.listSubscriptions(customer.id),
        })),
      );
      yield read.map((outcome, i) => {
        if (outcome.status === 'fulfilled') return outcome.value;
        if (
          outcome.reason instanceof PartnerCenterHttpError ||
          outcome.reason instanceof PartnerCenterUnavailableError ||
          outcome.reason instanceof PartnerCenterResponseError
        ) {
          return { customer: page[i]!, error: outcome.reason };
        }
        throw outcome.reason;
      });
    }
  }

  /** The upgrades of a source subscription, each with `isEligible` and `upgradeErrors` (a live check by default). */
  async getUpgrades(
    customerId: string,
    subscriptionId: string,
    lane: Lane = 'live',
    signal?: AbortSignal,
  ): Promise<PcUpgrade[]> {
    const path = `/v1/customers/${encodeURIComponent(customerId)}/subscriptions/${encodeURIComponent(subscriptionId)}/upgrades`;
    const { body } = await this.http.call(
      { method: 'GET', path, lane, ...(signal === undefined ? {} : { signal }) },
      Upgrades,
    );
    return (body as ReturnType<typeof Upgrades.parse>).items;
  }

  /**
   * Creates the upgrade. `ledgerToken` (the confirm card's token) gives the MS-RequestId: every retry here and
   * every later resumption of the same token sends the same one, so Partner Center carries it out once.
   * Throws PartnerCenterUnavailableError when no answer could be had (outcome unknown: call again later with
   * the same token), PartnerCenterHttpError/PartnerCenterAuthError when it failed for good, and
   * PartnerCenterOutcomeUnknownError when it was refused or failed after an earlier attempt went unanswered
   * (that attempt may have been carried out: a refusal or failure then is no proof that nothing changed).
   */
  async createUpgrade(
    request: CreateUpgradeRequest,
    ledgerToken: string,
    signal?: AbortSignal,
  ): Promise<CreateUpgradeOutcome> {
    const requestId = upgradeRequestId(ledgerToken);
    const path = `/v1/customers/${encodeURIComponent(request.customerId)}/subscriptions/${encodeURIComponent(request.subscriptionId)}/upgrades`;
    const body = { ...request.upgrade, quantity: request.quantity, upgradeType: request.upgradeType };
    const answer = await this.http.call(
      { method: 'POST', path, lane: 'live', body, requestId, ...(signal === undefined ? {} : { signal }) },
      UpgradeResultSchema,
      [400, 409],
    );
    const refused = (errors: readonly PcUpgradeError[]): CreateUpgradeOutcome => {
      if (answer.earlierAttemptUnanswered) {
        throw new PartnerCenterOutcomeUnknownError(
          `Partner Center refused the upgrade (${errors.map((e) => `${String(e.code)}: ${e.description ?? ''}`).join('; ')}) after an earlier attempt that got no answer and may have been carried out (MS-RequestId ${requestId})`,
          requestId,
        );
      }
      return { outcome: 'refused', requestId, errors };
    };
    if (answer.status === 400 || answer.status === 409) {
      const e = answer.body as { code?: string | number; description?: string; message?: string };
      return refused([
        { code: e.code ?? answer.status, description: e.description ?? e.message ?? `HTTP ${answer.status}` },
      ]);
    }
    const result = answer.body as PcUpgradeResult;
    if (result.upgradeErrors.length > 0) return refused(result.upgradeErrors);
    if (result.targetSubscriptionId === undefined || result.targetSubscriptionId === '') {
      throw new PartnerCenterResponseError('the upgrade result names no target subscription and no error');
    }
    return {
      outcome: 'upgraded',
      requestId,
      targetSubscriptionId: result.targetSubscriptionId,
      licenseErrors: result.licenseErrors,
      result,
    };
  }

  /**
   * One subscription as Partner Center holds it now (a live read by default), every field kept, with the ETag
   * a change must name (`attributes.etag`). A subscription without one is an unexpected answer.
   */
  async getSubscription(
    customerId: string,
    subscriptionId: string,
    lane: Lane = 'live',
    signal?: AbortSignal,
  ): Promise<PcEtaggedSubscription> {
    const path = `/v1/customers/${encodeURIComponent(customerId)}/subscriptions/${encodeURIComponent(subscriptionId)}`;
    const { body } = await this.http.call(
      { method: 'GET', path, lane, ...(signal === undefined ? {} : { signal }) },
      EtaggedSubscriptionSchema,
    );
    return body as PcEtaggedSubscription;
  }

  /**
   * Sets a subscription's seats: PATCHes the subscription back whole, as it was read, with `quantity` set; its
   * ETag goes in `attributes.etag` (as the documentation's example has it) and in `If-Match`, so that Partner
   * Center refuses it if the subscription changed since it was read. `requestId` is the MS-RequestId, the same
   * on every retry here and every resumption of the same ledger entry (`upgradeRequestId(ledgerToken)`).
   * Throws PartnerCenterConflictError when the ETag is stale (412, or 400 with code 2055: changed elsewhere,
   * nothing changed here), and otherwise as `createUpgrade` does: PartnerCenterOutcomeUnknownError for a refusal
   * or a failure after an attempt that went unanswered (it may have been carried out, making the ETag stale).
   */
  async updateSubscriptionQuantity(
    change: QuantityChange,
    requestId: string,
    signal?: AbortSignal,
  ): Promise<QuantityChangeOutcome> {
    const { subscription } = change;
    const path = `/v1/customers/${encodeURIComponent(change.customerId)}/subscriptions/${encodeURIComponent(subscription.id)}`;
    const answer = await this.http.call(
      {
        method: 'PATCH',
        path,
        lane: 'live',
        body: { ...subscription, quantity: change.quantity },
        headers: { 'If-Match': subscription.attributes.etag },
        requestId,
        ...(signal === undefined ? {} : { signal }),
      },
      z.unknown(),
      [400, 409, 412],
    );
    if (answer.status === 202) return { outcome: 'accepted', requestId };
    if (answer.status >= 400) {
      const e = answer.body as { code?: string | number; description?: string; message?: string };
      const description = e.description ?? e.message ?? `HTTP ${answer.status}`;
      const said = `HTTP ${answer.status}${e.code === undefined ? '' : ` (code ${e.code})`}: ${description}`;
      if (answer.earlierAttemptUnanswered) {
        throw new PartnerCenterOutcomeUnknownError(
          `Partner Center answered the seat change with ${said} after an earlier attempt that got no answer and may have been carried out (MS-RequestId ${requestId})`,
          requestId,
        );
      }
      if (answer.status === 412 || String(e.code) === String(STALE_ETAG_CODE)) {
        throw new PartnerCenterConflictError(
          `PATCH ${path}: the subscription changed in Partner Center since it was read (${said}; MS-RequestId ${requestId})`,
          answer.status,
          e.code,
          requestId,
        );
      }
      return { outcome: 'refused', requestId, status: answer.status, code: e.code, description };
    }
    const changed = SubscriptionSchema.safeParse(answer.body);
    if (!changed.success) {
      throw new PartnerCenterResponseError(`PATCH ${path}: the answer is not a subscription`);
    }
    return { outcome: 'changed', requestId, subscription: changed.data };
  }

  async close(): Promise<void> {
    await this.budget.stop();
  }
}

/** UpgradeErrorCode by number (the .NET SDK's enum) and by name (the resource page). */
export const UPGRADE_ERROR_NAMES = [
  'other',
  'delegated_admin_permissions_disabled',
  'subscription_status_not_active',
  'conflicting_service_types',
  'concurrency_conflicts',
  'user_context_required',
  'subscription_add_ons_present',
  'subscription_does_not_have_any_upgrade_paths',
  'subscription_target_offer_not_found',
  'subscription_not_provisioned',
  'offer_does_not_support_billing_cycle',
  'insufficient_granular_admin_permissions',
] as const;
export type UpgradeErrorName = (typeof UPGRADE_ERROR_NAMES)[number];

/** The name of an UpgradeError's code, whether Partner Center sent the number or the name; undefined if unknown. */
export function upgradeErrorName(code: string | number): UpgradeErrorName | undefined {
  if (typeof code === 'number') return UPGRADE_ERROR_NAMES[code];
  const asNumber = /^\d+$/.test(code) ? UPGRADE_ERROR_NAMES[Number(code)] : undefined;
  if (asNumber !== undefined) return asNumber;
  const lower = code.trim().toLowerCase();
  return UPGRADE_ERROR_NAMES.find((n) => n === lower);
}
