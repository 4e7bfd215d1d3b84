/** When a name matches several customers, or none: ask which one, or suggest the closest names. */
import type { CustomerCandidate } from '../../directory/lookup-types.js';
import type { Customer } from '../../rules/index.js';
import type { DisambiguationCardData } from '../cards/data.js';
import { orList, sentences } from '../explain.js';
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';

/** `candidates`: the close matches as the directory has them, best first. */
export function ambiguousAnswer(
  tr: Translator,
  query: string,
  candidates: readonly Customer[],
  question: { intent: string; target: string; seats?: string },
): Reply {
  const names = candidates.map((c) => c.companyProfile.companyName);
  const rows = candidates.map((c) => ({
    customerId: c.id,
    name: c.companyProfile.companyName,
    detail: `${c.companyProfile.domain} · ${tr.t('customer.subscriptionCount', { count: c.subscriptions.length })}`,
  }));
  const text = tr.t('customer.ambiguousSummary', { query, names: tr.list(names) });
  const data: DisambiguationCardData = {
    question: tr.t('customer.ambiguous', { query }),
    fallbackText: [text, ...rows.map((r) => `- ${r.name} (${r.detail})`)].join('\n'),
    intent: question.intent,
    target: question.target,
    seats: question.seats ?? '',
    labels: { choose: tr.t('customer.choose') },
    candidates: rows,
  };
  return { text, card: { name: 'disambiguation', data } };
}

export function notFoundAnswer(
  tr: Translator,
  query: string,
  suggestions: readonly CustomerCandidate[],
): Reply {
  if (suggestions.length === 0) return { text: tr.t('customer.none', { query }) };
  const names = suggestions.map((s) => s.customer.companyProfile.companyName);
  // One customer or another: "A or B", « A ou B », 「A または B」.
  return {
    text: sentences(
      tr,
      tr.t('customer.notFound', { query }),
      tr.t('customer.didYouMean', { names: orList(tr, names) }),
    ),
    suggestions: names,
  };
}
