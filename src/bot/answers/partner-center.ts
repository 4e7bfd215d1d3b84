/**
 * Partner Center's live verdict in words: its findings (our reasons in our wording, the others as "Partner
 * Center says:" with a remedy), what its check does not cover, and the answers when it cannot be asked.
 */
import type { LiveFinding, LiveVerdict } from '../../core/live-check.js';
import type { Customer, OfferId } from '../../rules/index.js';
import { offerName, sentences } from '../explain.js';
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';
import {
  reasonLine,
  refusalMessage,
  refusedWithLines,
  type OutcomeLine,
  type RefusalMessageKey,
} from './outcomes.js';

export function findingLine(tr: Translator, finding: LiveFinding): OutcomeLine {
  switch (finding.kind) {
    case 'reason':
      return reasonLine(tr, finding.reason);
    case 'conflict-elsewhere':
      return {
        text: sentences(
          tr,
          tr.t('partnerCenter.conflictElsewhere', { target: offerName(tr, finding.target) }),
          tr.t('partnerCenter.conflictElsewhereRemedy'),
        ),
        link: 'multichannel',
      };
    case 'partner-center':
      return {
        text: sentences(
          tr,
          tr.t('partnerCenter.says', { description: finding.description }),
          tr.t(`partnerCenter.remedy.${finding.remedy}`),
        ),
      };
  }
}

/** Each finding once (a subscription's own findings come with every target). */
export function distinctFindings(findings: readonly LiveFinding[]): LiveFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Partner Center says no: its findings, then what it did not check. Nothing changed. */
export function liveRefusedAnswer(
  tr: Translator,
  customer: Customer,
  request: { subscriptionId: string; fromOffer: OfferId; target: OfferId },
  findings: readonly LiveFinding[],
  notChecked: LiveVerdict['notChecked'],
  messageKey: RefusalMessageKey,
): Reply {
  const lines = distinctFindings(findings).map((f) => findingLine(tr, f));
  if (notChecked.length > 0) lines.push({ text: tr.t('partnerCenter.notChecked') });
  return refusedWithLines(tr, refusalMessage(tr, customer, request, messageKey), lines);
}

/**
 * Partner Center refused the re-check of one customer's subscription: 403, the bot's GDAP roles there do not
 * allow it; 404, the subscription or the customer is gone ("refresh" reads it again). Nothing was changed.
 */
export function systemOfRecordRejectedAnswer(tr: Translator, customer: Customer, status: 403 | 404): Reply {
  const key = status === 403 ? 'partnerCenter.accessDenied' : 'partnerCenter.notFound';
  return { text: tr.t(key, { customer: customer.companyProfile.companyName }) };
}

/** Partner Center refused the bot's credentials, or cannot be reached: nothing was changed. */
export function systemOfRecordErrorAnswer(tr: Translator, kind: 'auth' | 'unavailable'): Reply {
  return { text: tr.t(kind === 'auth' ? 'partnerCenter.authError' : 'partnerCenter.unavailable') };
}
