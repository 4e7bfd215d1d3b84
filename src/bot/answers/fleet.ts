/** "Which customers can upgrade to E5?": across the directory, who can, and what blocks the others. */
import {
  REASON_CODES,
  allUpgradeTargets,
  FleetTally,
  type Customer,
  type OfferId,
} from '../../rules/index.js';
import { offerList, offerName } from '../explain.js';
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';

/** How many names to list before "and N more". */
const MAX_NAMES = 10;

export async function fleetAnswer(
  tr: Translator,
  customers: AsyncIterable<readonly Customer[]>,
  target: OfferId,
): Promise<Reply> {
  const targetName = offerName(tr, target);
  const targets = allUpgradeTargets();
  if (!targets.includes(target)) {
    return { text: tr.t('fleet.notATarget', { target: targetName, targets: offerList(tr, targets) }) };
  }
  const tally = new FleetTally(target);
  for await (const page of customers) for (const customer of page) tally.add(customer);
  const answer = tally.answer();
  const names = answer.eligible.map((m) => m.companyName).sort((a, b) => a.localeCompare(b));
  const shown =
    names.length > MAX_NAMES
      ? tr.t('fleet.andMore', { names: tr.list(names.slice(0, MAX_NAMES)), count: names.length - MAX_NAMES })
      : tr.list(names);
  const lines = [tr.t('fleet.eligible', { count: names.length, target: targetName, names: shown })];
  if (answer.blockedCount > 0) {
    lines.push(tr.t('fleet.blocked', { count: answer.blockedCount }));
    for (const code of REASON_CODES) {
      const n = answer.blockedByReason[code];
      if (n !== undefined)
        lines.push(`- ${tr.t('fleet.byReason', { reason: tr.t(`reasonTitle.${code}`), count: n })}`);
    }
  }
  return { text: lines.join('\n') };
}
