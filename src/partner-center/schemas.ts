/**
 * The Partner Center resources the adapter reads (docs: "Customer resources", "Subscription resources",
 * "Upgrade resources"), as zod schemas. Only the fields the project uses are checked; the others are kept
 * as they came (loose objects), so that an Upgrade can be sent back exactly as `GET …/upgrades` returned it,
 * and a Subscription PATCHed back whole as `GET …/subscriptions/{id}` returned it.
 */
import { z } from 'zod';

const Link = z.looseObject({
  uri: z.string(),
  method: z.string().optional(),
  headers: z.array(z.looseObject({ key: z.string(), value: z.string() })).optional(),
});
export type PcLink = z.infer<typeof Link>;

const Links = z.looseObject({ self: Link.optional(), next: Link.optional() });

export const CustomerSchema = z.looseObject({
  id: z.string().min(1),
  companyProfile: z
    .looseObject({
      tenantId: z.string().optional(),
      domain: z.string().optional(),
      companyName: z.string().optional(),
    })
    .optional(),
  relationshipToPartner: z.string().optional(),
});
export type PcCustomer = z.infer<typeof CustomerSchema>;

export const SubscriptionSchema = z.looseObject({
  id: z.string().min(1),
  offerId: z.string().min(1),
  offerName: z.string().optional(),
  friendlyName: z.string().optional(),
  quantity: z.number().int(),
  status: z.string(),
  isTrial: z.boolean().optional(),
  parentSubscriptionId: z.string().optional(),
  termDuration: z.string().optional(),
  billingCycle: z.string().optional(),
  /** ISO date-time; tells an upgrade's new subscription from one that was there before. */
  creationDate: z.string().optional(),
  /** `etag`: the version a change (PATCH) names, so that it never overwrites a change made since it was read. */
  attributes: z.looseObject({ etag: z.string().optional(), objectType: z.string().optional() }).optional(),
});
export type PcSubscription = z.infer<typeof SubscriptionSchema>;

/** One subscription as `GET …/subscriptions/{id}` returns it, to be changed: its ETag is required. */
export const EtaggedSubscriptionSchema = SubscriptionSchema.extend({
  attributes: z.looseObject({ etag: z.string().min(1), objectType: z.string().optional() }),
});
export type PcEtaggedSubscription = z.infer<typeof EtaggedSubscriptionSchema>;

/** `code` is a name in the resource page and an integer in the documentation's example: both are accepted. */
export const UpgradeErrorSchema = z.looseObject({
  code: z.union([z.number().int(), z.string()]),
  description: z.string().optional(),
  additionalDetails: z.string().optional(),
});
export type PcUpgradeError = z.infer<typeof UpgradeErrorSchema>;

export const OfferSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  minimumQuantity: z.number().int().optional(),
  maximumQuantity: z.number().int().optional(),
  country: z.string().optional(),
  isAddOn: z.boolean().optional(),
});
export type PcOffer = z.infer<typeof OfferSchema>;

export const UpgradeSchema = z.looseObject({
  targetOffer: OfferSchema,
  upgradeType: z.string().optional(),
  isEligible: z.boolean(),
  quantity: z.number().int().optional(),
  upgradeErrors: z.array(UpgradeErrorSchema).default([]),
});
export type PcUpgrade = z.infer<typeof UpgradeSchema>;

const ServiceFault = z.looseObject({
  code: z.union([z.number(), z.string()]),
  description: z.string().optional(),
});

export const UpgradeResultSchema = z.looseObject({
  sourceSubscriptionId: z.string().optional(),
  targetSubscriptionId: z.string().optional(),
  upgradeType: z.union([z.string(), z.number()]).optional(),
  upgradeErrors: z.array(UpgradeErrorSchema).default([]),
  licenseErrors: z
    .array(
      z.looseObject({
        userObjectId: z.string(),
        name: z.string().optional(),
        email: z.string().optional(),
        errors: z.array(ServiceFault).default([]),
      }),
    )
    .default([]),
});
export type PcUpgradeResult = z.infer<typeof UpgradeResultSchema>;

export function collectionOf<T extends z.ZodType>(item: T) {
  return z.looseObject({
    totalCount: z.number().int().optional(),
    items: z.array(item),
    continuationToken: z.string().optional(),
    links: Links.optional(),
  });
}

/** Partner Center's error body (`{code, description, data, source}`), and the throttling one (`{statusCode, message}`). */
export const ErrorBodySchema = z.looseObject({
  code: z.union([z.number(), z.string()]).optional(),
  description: z.string().optional(),
  statusCode: z.number().optional(),
  message: z.string().optional(),
});
