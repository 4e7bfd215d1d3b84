/**
 * "What upgrades have we done for Contoso?": the requests acted on, newest first, a page at a time (a Teams
 * message has a size limit): the latest `HISTORY_PAGE`, a count, and a button for the older ones.
 */
import { isLicenceOrder, type LedgerEntry } from '../../core/ledger.js';
import type { Customer } from '../../rules/index.js';
import { offerName } from '../explain.js';
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';
import { actorName } from './outcomes.js';

export const HISTORY_PAGE = 20;

/** One request of the history: an upgrade (from → to, its type) or licences added (seats before → after). */
function historyLine(tr: Translator, e: LedgerEntry): string {
  const common = {
    when: tr.date(new Date(e.decidedAt ?? e.requestedAt)),
    by: actorName(tr, e.decidedBy ?? e.requestedBy),
  };
  if (isLicenceOrder(e)) {
    return tr.t('history.licenceEntry', {
      ...common,
      offer: offerName(tr, e.fromOffer),
      subscription: e.subscriptionId,
      from: tr.number(e.previousQuantity),
      to: tr.number(e.quantity),
      outcome: tr.t(`history.outcome.${e.status}`, { context: 'licences' }),
    });
  }
  return tr.t('history.entry', {
    ...common,
    from: offerName(tr, e.fromOffer),
    to: offerName(tr, e.target),
    seats: tr.number(e.quantity),
    type: tr.t(`upgrade.type.${e.upgradeType}`),
    outcome: tr.t(`history.outcome.${e.status}`, { newSubscription: e.newSubscriptionId ?? '' }),
  });
}

export function historyAnswer(
  tr: Translator,
  customer: Customer,
  entries: readonly LedgerEntry[],
  offset = 0,
): Reply {
  const name = customer.companyProfile.companyName;
  if (entries.length === 0) return { text: tr.t('history.none', { customer: name }) };
  const page = entries.slice(offset, offset + HISTORY_PAGE);
  const lines = page.map((e) => `- ${historyLine(tr, e)}`);
  const summary =
    offset === 0
      ? tr.t('history.summary', { count: entries.length, customer: name })
      : tr.t('history.page', {
          from: tr.number(offset + 1),
          to: tr.number(offset + page.length),
          count: entries.length,
          customer: name,
        });
  const older = entries.length - (offset + page.length);
  const text = [summary, ...lines].join('\n');
  if (older <= 0) return { text };
  return {
    text,
    card: {
      name: 'more',
      data: {
        text: tr.t('history.older', { count: older }),
        label: tr.t('history.showOlder'),
        verb: 'historyPage',
        key: customer.id,
        offset: offset + page.length,
      },
    },
  };
}
