/**
 * The body of `POST …/subscriptions/{id}/upgrades`: one Upgrade as `GET …/upgrades` returned it, with
 * `quantity` and `upgradeType` set. The documentation's sample writes PascalCase keys and an integer
 * upgrade type (`"UpgradeType": 1`), the resources camelCase and names: both are accepted.
 */
import { z } from 'zod';
import type { UpgradeType } from '../../src/rules/index.js';

/** UpgradeType by its enum order: 0 none, 1 upgrade_only, 2 upgrade_with_license_transfer. */
const UPGRADE_TYPES: Record<string, UpgradeType | 'none'> = {
  '0': 'none',
  '1': 'upgrade_only',
  '2': 'upgrade_with_license_transfer',
  none: 'none',
  upgrade_only: 'upgrade_only',
  upgrade_with_license_transfer: 'upgrade_with_license_transfer',
};

const BodySchema = z.object({
  targetOffer: z.object({ id: z.string().min(1) }),
  quantity: z.number().int().min(1).optional(),
  upgradeType: z.union([z.string(), z.number().int()]).optional(),
});

export type ParsedUpgrade =
  | {
      readonly ok: true;
      readonly upgrade: { targetOfferId: string; quantity?: number; upgradeType: UpgradeType };
    }
  | { readonly ok: false; readonly problem: string };

export function parseUpgradeBody(text: string): ParsedUpgrade {
  let json: unknown;
  try {
    json = camelKeys(JSON.parse(text));
  } catch {
    return { ok: false, problem: 'The request body is not valid JSON.' };
  }
  const parsed = BodySchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problem: `Invalid upgrade: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}` };
  }
  const type =
    UPGRADE_TYPES[String(parsed.data.upgradeType ?? 'upgrade_with_license_transfer').toLowerCase()];
  if (type === undefined || type === 'none') {
    return { ok: false, problem: `Invalid upgradeType "${String(parsed.data.upgradeType)}".` };
  }
  return {
    ok: true,
    upgrade: {
      targetOfferId: parsed.data.targetOffer.id,
      upgradeType: type,
      ...(parsed.data.quantity === undefined ? {} : { quantity: parsed.data.quantity }),
    },
  };
}

function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelKeys(v)]),
  );
}
