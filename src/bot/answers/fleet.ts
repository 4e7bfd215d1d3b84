/**
 * "Which customers can upgrade to E5?": what a salesperson asks to find opportunities. The customers that can,
 * by seats, largest first, with the total; `FLEET_PAGE` at a time, with a "Next 10" action; and the blocked
 * ones counted by reason.
 */
import {
  REASON_CODES,
  allUpgradeTargets,
  FleetTally,
  type Customer,
  type FleetAnswer,
  type OfferId,
} from '../../rules/index.js';
import { offerList, offerName } from '../explain.js';
import type { Translator } from '../i18n.js';
import type { FleetSource } from '../fleet-index.js';
import type { Reply } from './reply.js';

async function tally(customers: AsyncIterable<readonly Customer[]>, target: OfferId): Promise<FleetAnswer> {
  const counts = new FleetTally(target);
  for await (const page of customers) for (const customer of page) counts.add(customer);
  return counts.answer();
}

/** Customers on a page of the answer. */
export const FLEET_PAGE = 10;

/**
 * `customers`: the counts kept up to date (`FleetIndex`), or the directory a page at a time, counted for this
 * question alone.
 */
export async function fleetAnswer(
  tr: Translator,
  customers: AsyncIterable<readonly Customer[]> | FleetSource,
  target: OfferId,
  offset = 0,
): Promise<Reply> {
  const targetName = offerName(tr, target);
  const targets = allUpgradeTargets();
  if (!targets.includes(target)) {
    return { text: tr.t('fleet.notATarget', { target: targetName, targets: offerList(tr, targets) }) };
  }
  const page = { offset, limit: FLEET_PAGE };
  const answer =
    'answer' in customers
      ? await customers.answer(target, page)
      : await tally(customers, target).then((all) => ({
          ...all,
          eligible: all.eligible.slice(offset, offset + FLEET_PAGE),
        }));
  const count = answer.eligibleCount;
  if (offset > 0 && offset >= count) return { text: tr.t('fleet.pageGone', { target: targetName }) };
  const shown = answer.eligible;
  const lines =
    count === 0
      ? [tr.t('fleet.eligible', { count: 0, target: targetName })]
      : [
          offset === 0
            ? tr.t('fleet.summary', { count, target: targetName, seats: tr.number(answer.eligibleSeats) })
            : tr.t('fleet.page', {
                count,
                target: targetName,
                from: tr.number(offset + 1),
                to: tr.number(offset + shown.length),
              }),
          '',
          ...shown.map(
            (m, i) =>
              `${offset + i + 1}. ${tr.t('fleet.entry', { name: m.companyName, seats: tr.number(m.seats) })}`,
          ),
        ];
  if (offset === 0 && answer.blockedCount > 0) {
    lines.push('', tr.t('fleet.blocked', { count: answer.blockedCount }));
    for (const code of REASON_CODES) {
      const n = answer.blockedByReason[code];
      if (n !== undefined)
        lines.push(`- ${tr.t('fleet.byReason', { reason: tr.t(`reasonTitle.${code}`), count: n })}`);
    }
  }
  const text = lines.join('\n');
  const remaining = count - (offset + shown.length);
  if (remaining <= 0) return { text };
  return {
    text,
    card: {
      name: 'more',
      data: {
        text: tr.t('fleet.more', { count: remaining, target: targetName }),
        label: tr.t('fleet.next', { count: Math.min(FLEET_PAGE, remaining) }),
        verb: 'fleetPage',
        key: target,
        offset: offset + shown.length,
      },
    },
  };
}
