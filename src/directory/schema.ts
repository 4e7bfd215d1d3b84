/**
 * The directory file format (docs/directory-format.md) as a zod schema. Parsing gives the rules' `Customer`
 * objects. Checks are structural (types, enums) plus cross-field ones (unique ids); business limits such as
 * the catalog's seat maximum are NOT enforced here: a directory records what exists, the rules judge it.
 *
 * Objects are strict: an unknown field is an error, so that a misspelt optional field (`addons`, `isTrail`)
 * cannot silently change a verdict.
 */
import { z } from 'zod';
import {
  CHANNELS,
  DELEGATED_ADMIN_STATUSES,
  OFFER_IDS,
  SERVICE_KEYS,
  SUBSCRIPTION_STATUSES,
  type Customer,
} from '../rules/index.js';

/** A string with at least one non-blank character. */
const text = z.string().refine((s) => s.trim().length > 0, { message: 'must not be empty' });

const OfferIdSchema = z.enum(OFFER_IDS);

const UserLicenseSchema = z.strictObject({
  objectId: text,
  name: text,
  email: text,
  disabledServices: z.array(z.enum(SERVICE_KEYS)).optional(),
});

const SubscriptionSchema = z.strictObject({
  id: text,
  offerId: OfferIdSchema,
  friendlyName: z.string().optional(),
  quantity: z.number().int().min(0),
  status: z.enum(SUBSCRIPTION_STATUSES),
  channel: z.enum(CHANNELS),
  isTrial: z.boolean().optional(),
  addOns: z.array(OfferIdSchema).optional(),
  users: z.array(UserLicenseSchema).optional(),
});

const DelegatedAdminSchema = z.strictObject({
  service: text,
  status: z.enum(DELEGATED_ADMIN_STATUSES),
});

/** Written by the Partner Center sync: a subscription the catalog does not judge, as Partner Center sent it. */
const OtherSubscriptionSchema = z.strictObject({
  id: text,
  kind: z.enum(['new-commerce', 'other-product', 'unknown']),
  offerId: text,
  offerName: z.string(),
  friendlyName: z.string().optional(),
  quantity: z.number().int().min(0),
  status: z.enum(SUBSCRIPTION_STATUSES),
});

const CompanyProfileSchema = z.strictObject({
  companyName: text,
  domain: text,
});

const CustomerSchema = z
  .strictObject({
    id: text,
    companyProfile: CompanyProfileSchema,
    // 'unknown' when the source does not hold it (the Partner Center sync).
    delegatedAdmin: z.union([z.array(DelegatedAdminSchema), z.literal('unknown')]),
    subscriptions: z.array(SubscriptionSchema),
    otherSubscriptions: z.array(OtherSubscriptionSchema).optional(),
    syncedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((customer, ctx) => {
    customer.subscriptions.forEach((subscription, s) => {
      const seen = new Map<string, number>();
      (subscription.users ?? []).forEach((user, u) => {
        const first = seen.get(user.objectId);
        if (first === undefined) {
          seen.set(user.objectId, u);
          return;
        }
        ctx.addIssue({
          code: 'custom',
          path: ['subscriptions', s, 'users', u, 'objectId'],
          message: `"${user.objectId}" is used twice in this subscription (also users[${first}])`,
        });
      });
    });
  });

const PartnerSchema = z.strictObject({ name: text });

export const DirectoryFileSchema = z
  .strictObject({
    partner: PartnerSchema,
    customers: z.array(CustomerSchema),
  })
  .superRefine((file, ctx) => {
    const customerIds = new Map<string, number>();
    const subscriptionIds = new Map<string, { customer: number; subscription: number }>();
    file.customers.forEach((customer, c) => {
      const firstCustomer = customerIds.get(customer.id);
      if (firstCustomer === undefined) customerIds.set(customer.id, c);
      else {
        ctx.addIssue({
          code: 'custom',
          path: ['customers', c, 'id'],
          message: `"${customer.id}" is used twice: also by ${customerLabel(file.customers, firstCustomer)}`,
        });
      }
      customer.subscriptions.forEach((subscription, s) => {
        const first = subscriptionIds.get(subscription.id);
        if (first === undefined) {
          subscriptionIds.set(subscription.id, { customer: c, subscription: s });
          return;
        }
        const where =
          first.customer === c
            ? `this customer's subscriptions[${first.subscription}]`
            : `${customerLabel(file.customers, first.customer)}, subscriptions[${first.subscription}]`;
        ctx.addIssue({
          code: 'custom',
          path: ['customers', c, 'subscriptions', s, 'id'],
          message: `"${subscription.id}" is used twice (subscription ids are unique across the file): also by ${where}`,
        });
      });
    });
  });

function customerLabel(
  customers: readonly { companyProfile: { companyName: string } }[],
  index: number,
): string {
  const name = customers[index]?.companyProfile.companyName ?? '';
  return name.trim().length > 0 ? `customer "${name}" (customers[${index}])` : `customers[${index}]`;
}

// Compile-time guarantee that what the schema produces is what the rules read.
type Assert<T extends true> = T;
type _CustomerFitsModel = Assert<z.output<typeof CustomerSchema> extends Customer ? true : false>;
