/**
 * "Can Contoso upgrade?" and "can Contoso move to E5?": the verdict on each subscription, every reason with
 * its remedy, and an "Upgrade…" action where a target is open.
 */
import {
  CATALOG,
  evaluateCustomer,
  evaluateTarget,
  isSubscriptionReason,
  upgradeTargets,
  type Customer,
  type OfferId,
  type Reason,
  type Subscription,
  type SubscriptionVerdict,
  type TargetVerdict,
} from '../../rules/index.js';
import type {
  BlockSection,
  EligibilityCardData,
  Fact,
  SubscriptionSection,
  VerdictColor,
} from '../cards/data.js';
import { explain, offerList, offerName, sentences, subscriptionLabel } from '../explain.js';
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';

function facts(tr: Translator, s: Subscription): Fact[] {
  const offer = CATALOG[s.offerId];
  const name = offerName(tr, s.offerId);
  const offerText =
    offer.name2020 === undefined
      ? name
      : `${name} (${tr.t('eligibility.name2020', { name: offer.name2020 })})`;
  return [
    { title: tr.t('eligibility.facts.offer'), value: offerText },
    { title: tr.t('eligibility.facts.seats'), value: tr.number(s.quantity) },
    { title: tr.t('eligibility.facts.status'), value: tr.t(`status.${s.status}`) },
    { title: tr.t('eligibility.facts.channel'), value: tr.t(`channelShort.${s.channel}`) },
    { title: tr.t('eligibility.facts.id'), value: s.id },
  ];
}

function verdictOf(sv: { subscription: Subscription; reasons: readonly Reason[]; eligible: boolean }): {
  key: string;
  color: VerdictColor;
} {
  const codes = new Set(sv.reasons.map((r) => r.code));
  if (sv.eligible) return { key: 'upgradable', color: 'Good' };
  if (codes.has('bought_elsewhere')) return { key: 'elsewhere', color: 'Default' };
  if (codes.has('no_upgrade_path')) return { key: 'noPath', color: 'Default' };
  if (codes.has('subscription_not_active')) return { key: 'inactive', color: 'Warning' };
  return { key: 'blocked', color: 'Attention' };
}

function lines(tr: Translator, reasons: readonly Reason[]) {
  return reasons.map((r) => {
    const { text, remedy } = explain(tr, r);
    return { text, remedy };
  });
}

function section(
  tr: Translator,
  sv: SubscriptionVerdict,
  targets: readonly TargetVerdict[],
): SubscriptionSection {
  const s = sv.subscription;
  const eligible = targets.filter((t) => t.eligible).map((t) => t.target);
  const verdict = verdictOf({
    subscription: s,
    reasons: sv.subscriptionReasons,
    eligible: eligible.length > 0,
  });
  const blocks: BlockSection[] = [];
  if (sv.subscriptionReasons.length > 0) {
    blocks.push({ heading: tr.t('eligibility.blockedAll'), reasons: lines(tr, sv.subscriptionReasons) });
  }
  for (const t of targets) {
    const own = t.reasons.filter((r) => !isSubscriptionReason(r));
    if (own.length > 0) {
      blocks.push({
        heading: tr.t('eligibility.blockedTarget', { target: offerName(tr, t.target) }),
        reasons: lines(tr, own),
      });
    }
  }
  return {
    id: s.id,
    heading: subscriptionLabel(tr, s),
    verdict: tr.t(`eligibility.verdict.${verdict.key}`),
    verdictColor: verdict.color,
    facts: facts(tr, s),
    notes: sv.indiaRule ? tr.t('eligibility.indiaNote') : '',
    eligibleLine:
      eligible.length > 0 ? tr.t('eligibility.canMoveTo', { targets: offerList(tr, eligible) }) : '',
    blocks,
    upgradable: eligible.length > 0,
  };
}

/** The whole card as plain text, for clients that do not render cards. */
function fallbackText(
  tr: Translator,
  title: string,
  summary: string,
  sections: readonly SubscriptionSection[],
): string {
  const out = [title, summary];
  for (const s of sections) {
    out.push('', `${s.heading} · ${s.verdict}`);
    if (s.notes !== '') out.push(s.notes);
    if (s.eligibleLine !== '') out.push(s.eligibleLine);
    for (const b of s.blocks) {
      out.push(b.heading);
      for (const r of b.reasons) out.push(`- ${sentences(tr, r.text, r.remedy)}`);
    }
  }
  return out.join('\n');
}

function reply(
  tr: Translator,
  customer: Customer,
  title: string,
  summary: string,
  sections: SubscriptionSection[],
): Reply {
  const data: EligibilityCardData = {
    title,
    summary,
    fallbackText: fallbackText(tr, title, summary, sections),
    customerId: customer.id,
    labels: { upgrade: tr.t('eligibility.upgrade') },
    subscriptions: sections,
  };
  return { text: summary, card: { name: 'eligibility', data } };
}

/** Every subscription of the customer and every target of each. */
export function eligibilityAnswer(tr: Translator, customer: Customer): Reply {
  const name = customer.companyProfile.companyName;
  if (customer.subscriptions.length === 0)
    return { text: tr.t('eligibility.noSubscriptions', { customer: name }) };
  const verdict = evaluateCustomer(customer);
  const sections = verdict.subscriptions.map((sv) => section(tr, sv, sv.targets));
  const summary = tr.t('eligibility.summary', {
    customer: name,
    count: verdict.summary.upgradableCount,
    total: verdict.summary.subscriptionCount,
  });
  return reply(tr, customer, tr.t('eligibility.title', { customer: name }), summary, sections);
}

/** The verdict for one target on each subscription that has it as a path (or, if none has, on each one). */
export function targetEligibilityAnswer(tr: Translator, customer: Customer, target: OfferId): Reply {
  const name = customer.companyProfile.companyName;
  const targetName = offerName(tr, target);
  if (customer.subscriptions.length === 0)
    return { text: tr.t('eligibility.noSubscriptions', { customer: name }) };
  const withPath = customer.subscriptions.filter((s) => upgradeTargets(s.offerId).includes(target));
  const asked = withPath.length > 0 ? withPath : customer.subscriptions;
  const all = evaluateCustomer(customer).subscriptions;
  const sections = asked.map((s) => {
    const sv = all.find((v) => v.subscription.id === s.id) as SubscriptionVerdict;
    return section(tr, sv, [evaluateTarget(customer, s, target)]);
  });
  const open = sections.filter((s) => s.upgradable);
  const summary =
    withPath.length === 0
      ? tr.t('eligibility.noPathToTarget', { customer: name, target: targetName })
      : open.length > 0
        ? tr.t('eligibility.summaryTarget_yes', {
            customer: name,
            target: targetName,
            subscriptions: tr.list(open.map((s) => s.heading)),
          })
        : tr.t('eligibility.summaryTarget_no', { customer: name, target: targetName });
  return reply(
    tr,
    customer,
    tr.t('eligibility.titleTarget', { customer: name, target: targetName }),
    summary,
    sections,
  );
}
