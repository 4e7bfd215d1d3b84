/**
 * `PATCH /v1/customers/{customer}/subscriptions/{subscription}` ("Change the quantity of licenses in a customer
 * subscription"): the body is the whole Subscription as GET returned it, `quantity` set. Its `attributes.etag`
 * must be the subscription's current ETag, and so must `If-Match` when sent: after a write since the read the
 * answer is 412 (a stale If-Match) or 400 with code 2055 (a stale body ETag), Partner Center's error body,
 * and nothing changes. Then Partner Center's other refusals (400 unless noted): 2011 deleted, 800091 not
 * active, 403/800027 a quantity that cannot be changed (trials; add-ons and the subscriptions the catalog does
 * not judge, in the simulator), 2002 outside the offer's limits. Decreases are allowed, as Partner Center
 * allows them for licence-based subscriptions. Every answer is kept under its MS-RequestId, as an upgrade's is:
 * the same id again gets the same answer and changes nothing.
 */
import { z } from 'zod';
import { simOfferOf } from './offers.js';
import {
  customerNotFound,
  errorBody,
  subscriptionNotFound,
  type Reply,
  type Resource,
  type SimState,
} from './state.js';

const PatchBodySchema = z.looseObject({
  id: z.string().optional(),
  quantity: z.number(),
  attributes: z.looseObject({ etag: z.string().min(1) }),
});

export interface PatchOptions {
  /** 0: carried out at once (200). More: answered 202 with `Location`, carried out that many ms later. */
  readonly acceptedDelayMs: number;
}

const SUBSCRIPTION_PATH = /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)$/;

export function patchSubscription(
  state: SimState,
  customerId: string,
  subscriptionId: string,
  text: string,
  ifMatch: string | undefined,
  requestId: string,
  options: PatchOptions,
): Reply {
  const stored = state.replay(requestId);
  if (stored !== undefined) return stored;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { status: 400, body: errorBody(400, 'The request body is not valid JSON.') };
  }
  const body = PatchBodySchema.safeParse(json);
  if (!body.success) {
    return {
      status: 400,
      body: errorBody(400, `Invalid subscription: ${z.prettifyError(body.error).replace(/\n/g, ' ')}`),
    };
  }
  if (body.data.id !== undefined && body.data.id !== subscriptionId) {
    return {
      status: 400,
      body: errorBody(400, 'The subscription id in the body is not the one in the path.'),
    };
  }
  const reply = change(state, customerId, subscriptionId, body.data, ifMatch, options);
  state.remember(requestId, reply);
  return reply;
}

function change(
  state: SimState,
  customerId: string,
  subscriptionId: string,
  body: z.infer<typeof PatchBodySchema>,
  ifMatch: string | undefined,
  options: PatchOptions,
): Reply {
  if (state.customer(customerId) === undefined) return customerNotFound(customerId);
  const resource = state.subscriptionResource(customerId, subscriptionId);
  if (resource === undefined) return subscriptionNotFound(subscriptionId);
  const own = state.ownSubscription(customerId, subscriptionId);
  if (own === undefined) {
    return refuse(403, 800027, `The quantity of subscription ${subscriptionId} cannot be changed.`);
  }
  const current = etagOf(resource);
  if (ifMatch !== undefined && !matches(ifMatch, current)) {
    return stale(412, 'If-Match does not name the current version of the subscription.');
  }
  if (body.attributes.etag !== current) {
    return stale(400, "The subscription's ETag (attributes.etag) is stale.");
  }
  if (own.status === 'deleted') return refuse(400, 2011, `Subscription ${subscriptionId} is deleted.`);
  if (own.status !== 'active') {
    return refuse(400, 800091, `Subscription ${subscriptionId} is not active (${own.status}).`);
  }
  if (own.isTrial === true) {
    return refuse(403, 800027, 'The quantity of a trial subscription cannot be changed; convert it first.');
  }
  const offer = simOfferOf(own.offerId);
  const { quantity } = body;
  if (!Number.isInteger(quantity) || quantity < offer.minimumQuantity || quantity > offer.maximumQuantity) {
    return refuse(
      400,
      2002,
      `The quantity ${quantity} is outside the offer's limits (${offer.minimumQuantity}–${offer.maximumQuantity}).`,
    );
  }
  if (quantity === own.quantity) return { status: 200, body: resource };
  if (options.acceptedDelayMs > 0) {
    setTimeout(() => apply(state, customerId, subscriptionId, quantity), options.acceptedDelayMs).unref();
    return {
      status: 202,
      body: {},
      headers: { Location: `/customers/${customerId}/subscriptions/${subscriptionId}` },
    };
  }
  apply(state, customerId, subscriptionId, quantity);
  return { status: 200, body: state.subscriptionResource(customerId, subscriptionId) };
}

function apply(state: SimState, customerId: string, subscriptionId: string, quantity: number): void {
  state.setQuantity(customerId, subscriptionId, quantity);
  state.quantityChanges++;
}

/**
 * Someone else changes the seats of the subscription a request's path names (another partner user, Partner
 * Center's own portal): `quantity`, or one seat more. The fault rule `concurrent-change` does this just before
 * the request is handled. Paths that name no subscription of the partner's own are left alone.
 */
export function changeElsewhere(state: SimState, path: string, quantity: number | undefined): void {
  const m = SUBSCRIPTION_PATH.exec(path);
  if (m?.[1] === undefined || m[2] === undefined) return;
  const customerId = decodeURIComponent(m[1]);
  const subscriptionId = decodeURIComponent(m[2]);
  const own = state.ownSubscription(customerId, subscriptionId);
  if (own !== undefined) state.setQuantity(customerId, subscriptionId, quantity ?? own.quantity + 1);
}

function etagOf(resource: Resource): string {
  return String((resource['attributes'] as { etag?: unknown } | undefined)?.etag ?? '');
}

/** If-Match as HTTP writes it (`"…"`, `W/"…"`, a list, `*`) or bare, as the resource's `attributes.etag`. */
function matches(ifMatch: string, current: string): boolean {
  return ifMatch
    .split(',')
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .some((tag) => tag === '*' || tag === current);
}

function stale(status: 400 | 412, why: string): Reply {
  return {
    status,
    body: errorBody(2055, `${why} The subscription changed since it was read; read it again.`),
  };
}

function refuse(status: number, code: number, description: string): Reply {
  return { status, body: errorBody(code, description) };
}
