/** "What upgrades have we done for Contoso?": the decided requests of the ledger, newest first. */
import type { Customer } from '../../rules/index.js';
import type { LedgerEntry } from '../../storage/upgrade-ledger.js';
import { offerName } from '../explain.js';
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';
import { actorName } from './upgrade.js';

export function historyAnswer(tr: Translator, customer: Customer, entries: readonly LedgerEntry[]): Reply {
  const name = customer.companyProfile.companyName;
  if (entries.length === 0) return { text: tr.t('history.none', { customer: name }) };
  const lines = entries.map(
    (e) =>
      `- ${tr.t('history.entry', {
        when: tr.date(new Date(e.decidedAt ?? e.requestedAt)),
        by: actorName(tr, e.decidedBy ?? e.requestedBy),
        from: offerName(tr, e.fromOffer),
        to: offerName(tr, e.target),
        seats: tr.number(e.quantity),
        type: tr.t(`upgrade.type.${e.upgradeType}`),
        outcome: tr.t(`history.outcome.${e.status}`, { newSubscription: e.newSubscriptionId ?? '' }),
      })}`,
  );
  return { text: [tr.t('history.summary', { count: entries.length, customer: name }), ...lines].join('\n') };
}
