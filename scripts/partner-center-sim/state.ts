/**
 * The simulator's data: the customers of a directory file (docs/directory-format.md), served as Partner Center
 * resources. Eligibility and the effect of an upgrade come from the project's rules (src/rules), so the
 * simulator answers as the embedded gateway would. Only the partner's own subscriptions are visible, as in
 * Partner Center; the others still block upgrades (conflicting services, concurrent subscriptions).
 */
import { randomUUID } from 'node:crypto';
import {
  applyPlan,
  evaluateTarget,
  planUpgrade,
  upgradeTargets,
  type Customer,
  type Reason,
  type Subscription,
  type UpgradeType,
} from '../../src/rules/index.js';
import { offerResource, simOfferById, simOfferOf } from './offers.js';

export type ErrorCodeStyle = 'int' | 'name';

/** What a route answers: a status and a JSON body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Resource = Record<string, unknown>;

/** UpgradeErrorCode: the .NET SDK's enum, by number and by name. */
const UPGRADE_ERROR = {
  other: 0,
  delegated_admin_permissions_disabled: 1,
  subscription_status_not_active: 2,
  conflicting_service_types: 3,
  concurrency_conflicts: 4,
  subscription_add_ons_present: 6,
  subscription_does_not_have_any_upgrade_paths: 7,
  subscription_target_offer_not_found: 8,
} as const;
type UpgradeErrorName = keyof typeof UPGRADE_ERROR;

export function errorBody(code: number, description: string): Resource {
  return { code, description, data: [], source: 'PartnerFD' };
}

const collection = (items: readonly unknown[], self?: string): Resource => ({
  totalCount: items.length,
  items,
  ...(self === undefined ? {} : { links: { self: { uri: self, method: 'GET', headers: [] } } }),
  attributes: { objectType: 'Collection' },
});

const ADD_ON = '-addon-';

/** The creation date of the subscriptions the directory file seeds (it has none of its own). */
const SEEDED_CREATION_DATE = '2016-03-14T09:12:44.213Z';

export class SimState {
  private readonly customers = new Map<string, Customer>();
  /** Customer ids in directory order: the order of the customer list. */
  private readonly order: string[] = [];
  /** Stored answers of upgrade POSTs by MS-RequestId (idempotency). */
  private readonly executions = new Map<string, Reply>();
  /** When the subscriptions created here were (an upgrade's new one); the others were seeded. */
  private readonly created = new Map<string, string>();
  /** How many times each subscription was written here (its ETag changes with every write). */
  private readonly revisions = new Map<string, number>();
  upgradesApplied = 0;
  /** Seat changes carried out by PATCH (not those made "elsewhere" by a fault or a control call). */
  quantityChanges = 0;
  idempotentReplays = 0;
  errorCodeStyle: ErrorCodeStyle = 'int';
  /** How a refused upgrade POST answers: 200 with `upgradeErrors`, or a 400 error body. */
  refusalStyle: 'result' | 'error' = 'result';

  constructor(customers: readonly Customer[]) {
    for (const c of customers) {
      this.customers.set(c.id, c);
      this.order.push(c.id);
    }
  }

  get customerCount(): number {
    return this.order.length;
  }

  /** The customer as the rules see it (every channel), for the control endpoint and the tests. */
  customer(id: string): Customer | undefined {
    return this.customers.get(id);
  }

  /** Replaces a customer (or adds one at the end); every subscription that differs gets a new ETag. */
  replaceCustomer(customer: Customer): void {
    const before = this.customers.get(customer.id);
    if (before === undefined) this.order.push(customer.id);
    for (const s of customer.subscriptions) {
      const old = before?.subscriptions.find((x) => x.id === s.id);
      if (old !== undefined && JSON.stringify(old) !== JSON.stringify(s)) this.bump(s.id);
    }
    this.customers.set(customer.id, customer);
  }

  /** The subscription's resource as GET returns it (its current ETag in `attributes.etag`), or undefined. */
  subscriptionResource(customerId: string, subscriptionId: string): Resource | undefined {
    const c = this.customers.get(customerId);
    if (c === undefined) return undefined;
    return allSubscriptionResources(c, this.created, this.revisions).find((s) => s['id'] === subscriptionId);
  }

  /** A subscription of the customer's own (channel partner), as the rules hold it; add-ons are not. */
  ownSubscription(customerId: string, subscriptionId: string): Subscription | undefined {
    return this.customers.get(customerId)?.subscriptions.find((x) => x.id === subscriptionId && visible(x));
  }

  /** Sets a subscription's seats (its add-ons follow, as they do here), with a new ETag. */
  setQuantity(customerId: string, subscriptionId: string, quantity: number): void {
    const c = this.customers.get(customerId);
    if (c === undefined) return;
    this.customers.set(c.id, {
      ...c,
      subscriptions: c.subscriptions.map((s) => (s.id === subscriptionId ? { ...s, quantity } : s)),
    });
    this.bump(subscriptionId);
  }

  /** Keeps the answer of a change under its request id: the same id again gets it and changes nothing. */
  remember(requestId: string, reply: Reply): void {
    this.executions.set(requestId.toLowerCase(), reply);
  }

  private bump(subscriptionId: string): void {
    this.revisions.set(subscriptionId, (this.revisions.get(subscriptionId) ?? 0) + 1);
  }

  customerPage(offset: number, size: number): { items: Resource[]; more: boolean } {
    const ids = this.order.slice(offset, offset + size);
    const items = ids.flatMap((id) => {
      const c = this.customers.get(id);
      return c === undefined ? [] : [customerResource(c)];
    });
    return { items, more: offset + size < this.order.length };
  }

  getCustomer(customerId: string): Reply {
    const c = this.customers.get(customerId);
    return c === undefined ? customerNotFound(customerId) : { status: 200, body: customerResource(c) };
  }

  listSubscriptions(customerId: string): Reply {
    const c = this.customers.get(customerId);
    if (c === undefined) return customerNotFound(customerId);
    const items = allSubscriptionResources(c, this.created, this.revisions);
    return { status: 200, body: collection(items, `/customers/${c.id}/subscriptions`) };
  }

  getSubscription(customerId: string, subscriptionId: string): Reply {
    const c = this.customers.get(customerId);
    if (c === undefined) return customerNotFound(customerId);
    const found = this.subscriptionResource(customerId, subscriptionId);
    return found === undefined ? subscriptionNotFound(subscriptionId) : { status: 200, body: found };
  }

  listUpgrades(customerId: string, subscriptionId: string): Reply {
    const c = this.customers.get(customerId);
    if (c === undefined) return customerNotFound(customerId);
    if (subscriptionId.includes(ADD_ON) && this.isAddOnId(c, subscriptionId)) {
      return { status: 200, body: collection([]) };
    }
    const s = c.subscriptions.find((x) => x.id === subscriptionId && visible(x));
    if (s === undefined) return subscriptionNotFound(subscriptionId);
    const items = upgradeTargets(s.offerId).map((target) => {
      const verdict = evaluateTarget(c, s, target);
      return {
        targetOffer: offerResource(simOfferOf(target)),
        upgradeType: 'upgrade_with_license_transfer',
        isEligible: verdict.eligible,
        quantity: s.quantity,
        upgradeErrors: verdict.reasons.map((r) => this.upgradeError(r)),
        attributes: { objectType: 'Upgrade' },
      };
    });
    return { status: 200, body: collection(items) };
  }

  /** The answer stored for a request id, if that request was carried out already. */
  replay(requestId: string): Reply | undefined {
    const stored = this.executions.get(requestId.toLowerCase());
    if (stored !== undefined) this.idempotentReplays++;
    return stored;
  }

  /**
   * Carries an upgrade out (the source cancelled, the target created, licences moved) and stores the answer
   * under the request id before it is sent, so that a retry with the same id gets it again.
   */
  createUpgrade(
    customerId: string,
    subscriptionId: string,
    request: { targetOfferId: string; quantity?: number; upgradeType: UpgradeType },
    requestId: string,
  ): Reply {
    const reply = this.upgrade(customerId, subscriptionId, request);
    // Every answer is kept: a retry after a lost answer must not upgrade twice, nor turn a refusal into a
    // success. (After an answer the client uses a new id.)
    this.executions.set(requestId.toLowerCase(), reply);
    return reply;
  }

  private upgrade(
    customerId: string,
    subscriptionId: string,
    request: { targetOfferId: string; quantity?: number; upgradeType: UpgradeType },
  ): Reply {
    const c = this.customers.get(customerId);
    if (c === undefined) return customerNotFound(customerId);
    const source = c.subscriptions.find((x) => x.id === subscriptionId && visible(x));
    if (source === undefined) return subscriptionNotFound(subscriptionId);
    const target = simOfferById(request.targetOfferId);
    if (target === undefined || !upgradeTargets(source.offerId).includes(target.catalogId)) {
      return this.refuse(source, request.upgradeType, [
        this.error(
          'subscription_target_offer_not_found',
          `Offer ${request.targetOfferId} is not an upgrade path of this subscription.`,
        ),
      ]);
    }
    const planned = planUpgrade(
      c,
      {
        subscriptionId,
        target: target.catalogId,
        upgradeType: request.upgradeType,
        ...(request.quantity === undefined ? {} : { quantity: request.quantity }),
      },
      randomUUID(),
    );
    if (!planned.ok) {
      if (planned.problem === 'unknown_subscription') return subscriptionNotFound(subscriptionId);
      return this.refuse(
        source,
        request.upgradeType,
        planned.verdict.reasons.map((r) => this.upgradeError(r)),
      );
    }
    const { plan } = planned;
    this.customers.set(c.id, applyPlan(c, plan));
    this.created.set(plan.newSubscription.id, new Date().toISOString());
    this.upgradesApplied++;
    return {
      status: 200,
      body: {
        sourceSubscriptionId: source.id,
        targetSubscriptionId: plan.newSubscription.id,
        upgradeType: plan.upgradeType,
        upgradeErrors: [],
        licenseErrors: plan.affectedAccounts.map((a) => ({
          userObjectId: a.objectId,
          name: a.name,
          email: a.email,
          errors: [
            {
              code: 60000,
              description: `The customer license migration needs manual work (${a.cause}): ${a.services.join(', ')}.`,
              data: [],
            },
          ],
          attributes: { objectType: 'UserLicenseError' },
        })),
        attributes: { objectType: 'UpgradeResult' },
      },
    };
  }

  private refuse(source: Subscription, upgradeType: UpgradeType, errors: readonly Resource[]): Reply {
    if (this.refusalStyle === 'error') {
      const first = errors[0];
      return {
        status: 400,
        body: errorBody(
          typeof first?.['code'] === 'number' ? first['code'] : 0,
          errors.map((e) => String(e['description'])).join(' '),
        ),
      };
    }
    return {
      status: 200,
      body: {
        sourceSubscriptionId: source.id,
        upgradeType,
        upgradeErrors: errors,
        licenseErrors: [],
        attributes: { objectType: 'UpgradeResult' },
      },
    };
  }

  private isAddOnId(c: Customer, id: string): boolean {
    return c.subscriptions.filter(visible).some((s) => (s.addOns ?? []).some((_, i) => addOnId(s, i) === id));
  }

  private error(name: UpgradeErrorName, description: string, additionalDetails?: string): Resource {
    return {
      code: this.errorCodeStyle === 'int' ? UPGRADE_ERROR[name] : name,
      description,
      ...(additionalDetails === undefined ? {} : { additionalDetails }),
      attributes: { objectType: 'UpgradeError' },
    };
  }

  /** A rules reason as Partner Center's UpgradeError. */
  private upgradeError(reason: Reason): Resource {
    switch (reason.code) {
      case 'subscription_not_active':
        return this.error(
          'subscription_status_not_active',
          'Subscription cannot be upgraded because it is not active.',
          reason.status,
        );
      case 'delegated_admin_missing':
        return this.error(
          'delegated_admin_permissions_disabled',
          'Delegated admin permissions are disabled for this customer.',
          `${reason.service}: ${reason.status}`,
        );
      case 'conflicting_services':
        return this.error(
          'conflicting_service_types',
          'Subscription cannot be upgraded because the source and target offers contain conflicting service types.',
          `Conflicting subscription ${reason.conflicting.subscriptionId} (${simOfferOf(reason.conflicting.offerId).name}): ${reason.services.join(', ')}`,
        );
      case 'target_already_owned':
        return this.error(
          'concurrency_conflicts',
          'Subscription cannot be upgraded because of restrictions on concurrent subscriptions.',
          `The customer already holds subscription ${reason.existing.subscriptionId} of the target offer.`,
        );
      case 'add_ons_present':
        return this.error(
          'subscription_add_ons_present',
          'Subscription cannot be upgraded because it has add-ons.',
          reason.addOns.join(', '),
        );
      case 'no_upgrade_path':
        return this.error(
          'subscription_does_not_have_any_upgrade_paths',
          'Subscription does not have any upgrade paths.',
        );
      case 'target_not_available':
        return this.error(
          'subscription_target_offer_not_found',
          'The target offer is not an upgrade path of this subscription.',
        );
      case 'trial_subscription':
        return this.error('other', 'A trial subscription cannot be upgraded; convert it instead.');
      case 'quantity_out_of_range':
        return this.error(
          'other',
          `The quantity ${reason.quantity} is outside the target offer's limits (${reason.minQuantity}–${reason.maxQuantity}).`,
        );
      case 'bought_elsewhere':
        return this.error(
          'other',
          `The subscription was bought through another channel (${reason.channel}).`,
        );
      case 'seats_not_added':
      case 'seat_count_changed':
        // Licence reasons: never part of an upgrade's verdict.
        return this.error('other', `Not an upgrade condition: ${reason.code}.`);
    }
  }
}

function visible(s: Subscription): boolean {
  return s.channel === 'partner';
}

function addOnId(s: Subscription, index: number): string {
  return `${s.id}${ADD_ON}${index + 1}`;
}

export function customerNotFound(id: string): Reply {
  return { status: 404, body: errorBody(600, `Customer ${id} not found.`) };
}

export function subscriptionNotFound(id: string): Reply {
  return { status: 404, body: errorBody(20003, `Subscription with ID ${id} not found.`) };
}

function customerResource(c: Customer): Resource {
  return {
    id: c.id,
    companyProfile: {
      tenantId: c.id,
      domain: c.companyProfile.domain,
      companyName: c.companyProfile.companyName,
      attributes: { objectType: 'CustomerCompanyProfile' },
    },
    relationshipToPartner: 'reseller',
    links: { self: { uri: `/customers/${c.id}`, method: 'GET', headers: [] } },
    attributes: { objectType: 'Customer' },
  };
}

/**
 * Every subscription Partner Center lists for the partner: its own catalog subscriptions with their add-ons,
 * then the subscriptions of offers the catalog does not judge (a directory's `otherSubscriptions`), as they are.
 */
function allSubscriptionResources(
  c: Customer,
  created: ReadonlyMap<string, string>,
  revisions: ReadonlyMap<string, number>,
): Resource[] {
  return [
    ...c.subscriptions
      .filter(visible)
      .flatMap((s) =>
        subscriptionResources(c.id, s, created.get(s.id) ?? SEEDED_CREATION_DATE, revisions.get(s.id) ?? 0),
      ),
    ...(c.otherSubscriptions ?? []).map((o) => ({
      id: o.id,
      offerId: o.offerId,
      offerName: o.offerName,
      friendlyName: o.friendlyName ?? o.offerName,
      quantity: o.quantity,
      unitType: 'Licenses',
      status: o.status,
      creationDate: created.get(o.id) ?? SEEDED_CREATION_DATE,
      isTrial: false,
      billingCycle: 'monthly',
      contractType: 'subscription',
      links: { self: { uri: `/customers/${c.id}/subscriptions/${o.id}`, method: 'GET', headers: [] } },
      attributes: { objectType: 'Subscription' },
    })),
  ];
}

/**
 * A subscription and its add-ons (separate subscriptions with `parentSubscriptionId` in Partner Center). The
 * ETag changes with the seats, the status and every write (`revision`), so that none is ever seen twice.
 */
function subscriptionResources(
  customerId: string,
  s: Subscription,
  creationDate: string,
  revision: number,
): Resource[] {
  const offer = simOfferOf(s.offerId);
  const base = (id: string, offerId: string, offerName: string, parent?: string): Resource => ({
    id,
    offerId,
    offerName,
    friendlyName: id === s.id ? (s.friendlyName ?? offerName) : offerName,
    quantity: s.quantity,
    unitType: 'Licenses',
    ...(parent === undefined ? {} : { parentSubscriptionId: parent }),
    hasPurchasableAddons: parent === undefined,
    creationDate,
    effectiveStartDate: '2016-03-14T00:00:00Z',
    commitmentEndDate: '2027-03-13T00:00:00Z',
    status: s.status,
    autoRenewEnabled: true,
    isTrial: s.isTrial ?? false,
    billingType: 'license',
    billingCycle: 'monthly',
    contractType: 'subscription',
    links: {
      offer: { uri: `/offers/${offerId}?country=${offer.country}`, method: 'GET', headers: [] },
      self: { uri: `/customers/${customerId}/subscriptions/${id}`, method: 'GET', headers: [] },
    },
    orderId: `order-${s.id}`,
    attributes: {
      etag: Buffer.from(`${id}:${s.status}:${s.quantity}:${revision}`).toString('base64'),
      objectType: 'Subscription',
    },
  });
  return [
    base(s.id, offer.id, offer.name),
    ...(s.addOns ?? []).map((a, i) => {
      const addOn = simOfferOf(a);
      return base(addOnId(s, i), addOn.id, addOn.name, s.id);
    }),
  ];
}
