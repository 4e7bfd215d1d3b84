/** Every card the bot's answers and upgrade flow can make over the demo directory, for the card tests. */
import {
  eligibilityAnswer,
  subscriptionDetailsAnswer,
  targetEligibilityAnswer,
} from '../../src/bot/answers/eligibility.js';
import { fleetAnswer } from '../../src/bot/answers/fleet.js';
import { mixedCustomer, openCustomer } from './long-customers.js';
import { ambiguousAnswer } from '../../src/bot/answers/customer-choice.js';
import type { Reply } from '../../src/bot/answers/reply.js';
import type { CardSpec } from '../../src/bot/cards/data.js';
import { LANGUAGES, Wording } from '../../src/bot/i18n.js';
import { UpgradeFlow } from '../../src/bot/upgrade-flow.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import { ApprovalPolicy, type Caller } from '../../src/core/approvals.js';
import type { Actor, LedgerEntry } from '../../src/core/ledger.js';
import { historyAnswer } from '../../src/bot/answers/history.js';
import { openStore } from '../../src/storage/store.js';
import { upgradeServiceOf } from './bot.js';

interface LabelledCard {
  label: string;
  spec: CardSpec;
}

const wording = new Wording();
const customers = loadDemoDirectory().customers;
const lookup = new CustomerIndex(customers);

/** Every card the answers can make over the demo directory, in every language. */
export async function allCards(): Promise<LabelledCard[]> {
  const out: LabelledCard[] = [];
  for (const language of LANGUAGES) {
    const tr = wording.for(language);
    for (const c of customers) {
      const e = eligibilityAnswer(tr, c);
      if (e.card)
        out.push({ label: `${language} eligibility ${c.companyProfile.companyName}`, spec: e.card });
      for (const target of ['O365_E3', 'O365_E5', 'O365_PROPLUS'] as const) {
        const t = targetEligibilityAnswer(tr, c, target);
        if (t.card)
          out.push({ label: `${language} ${target} ${c.companyProfile.companyName}`, spec: t.card });
      }
    }
    // Long answers (issue 16): a first and a later page, a subscription's details, the fleet's next page.
    for (const long of [mixedCustomer(100), openCustomer(60)]) {
      const name = long.companyProfile.companyName;
      for (const [label, reply] of [
        ['page 1', eligibilityAnswer(tr, long)],
        ['page 3', eligibilityAnswer(tr, long, 40)],
        ['E5 page 1', targetEligibilityAnswer(tr, long, 'O365_E5')],
        ['details', subscriptionDetailsAnswer(tr, long, long.subscriptions[7]!.id)],
        ['E3 details', subscriptionDetailsAnswer(tr, long, long.subscriptions[0]!.id, 'O365_E3')],
      ] as const)
        if (reply.card) out.push({ label: `${language} ${name} ${label}`, spec: reply.card });
    }
    const fleet = await fleetAnswer(
      tr,
      pagesOf([...customers, mixedCustomer(100), openCustomer(60)]),
      'O365_E3',
    );
    if (fleet.card) out.push({ label: `${language} fleet, next`, spec: fleet.card });
    out.push(...(await flowCards(language)));
    const fabr = lookup.search('fabrikam', 3).map((c) => customers.find((x) => x.id === c.customer.id)!);
    const amb = ambiguousAnswer(tr, 'fabrikam', fabr, { intent: 'eligibility', target: '' });
    if (amb.card) out.push({ label: `${language} disambiguation`, spec: amb.card });
    const contoso = customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
    const more = historyAnswer(tr, contoso, longHistory(contoso.id)).card;
    if (more) out.push({ label: `${language} history, older`, spec: more });
  }
  return out;
}

async function* pagesOf<T>(items: readonly T[]): AsyncIterable<readonly T[]> {
  yield items;
}

/** 25 cancelled requests: more than a page of history. */
export function longHistory(customerId: string): LedgerEntry[] {
  return Array.from({ length: 25 }, (_, i) => ({
    token: `t-${i}`,
    customerId,
    subscriptionId: 'sub-contoso-essentials',
    fromOffer: 'O365_BUSINESS_ESSENTIALS',
    target: 'O365_E3',
    quantity: 40,
    upgradeType: 'upgrade_with_license_transfer',
    requestedBy: { id: 'u1', name: 'Megan Bowen' },
    requestedAt: new Date(Date.UTC(2025, 0, 25 - i)).toISOString(),
    expiresAt: new Date(Date.UTC(2025, 0, 26 - i)).toISOString(),
    status: 'cancelled',
    decidedBy: { id: 'u1', name: 'Megan Bowen' },
    decidedAt: new Date(Date.UTC(2025, 0, 25 - i, 1)).toISOString(),
    attempts: 0,
    affectedAccounts: [],
    reasons: [],
  }));
}

/** The upgrade flow's cards: choose, confirm (live and read-only), and each outcome. */
export async function flowCards(language: string): Promise<LabelledCard[]> {
  const tr = wording.for(language);
  const store = openStore({ dataDir: ':memory:', seed: loadDemoDirectory() });
  const flow = new UpgradeFlow({
    customers: store.customers,
    upgrades: upgradeServiceOf(store),
    approvals: new ApprovalPolicy({ approvers: ['aad-1'] }),
  });
  const place = { channelId: 'msteams', conversationId: 'c1', tenantId: 'tenant-a' };
  const as = (user: Actor): Caller => ({ user, place });
  const contoso = customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
  const actor = as({ id: 'u1', name: 'Megan Bowen' });
  const input = {
    customerId: contoso.id,
    subscriptionId: 'sub-contoso-essentials',
    target: 'O365_E3',
    seats: 40,
    transfer: true,
  };
  const out: LabelledCard[] = [];
  const add = (label: string, reply: Reply | undefined) => {
    if (reply?.card === undefined) throw new Error(`${label}: no card`);
    out.push({ label: `${language} ${label}`, spec: reply.card });
  };
  add('choose-target', await flow.choose(tr, contoso.id, 'sub-contoso-essentials'));
  const review = await flow.review(tr, input, actor);
  add('confirm', review);
  const token = review?.card?.name === 'confirm' ? review.card.data.token : '';
  add('confirm read-only', await flow.current(tr, token, as({ id: 'someone-else' })));
  add(
    'refused at review',
    await flow.review(tr, { ...input, target: 'O365_BUSINESS_PREMIUM', seats: 301 }, actor),
  );
  const other = await flow.review(tr, { ...input, target: 'O365_E1' }, actor);
  const otherToken = other?.card?.name === 'confirm' ? other.card.data.token : '';
  add('cancelled', await flow.cancel(tr, otherToken, actor));
  add('done', await flow.confirm(tr, token, as({ id: 'a', aadObjectId: 'aad-1', name: 'Approver' })));
  add('already', await flow.confirm(tr, token, as({ id: 'a', aadObjectId: 'aad-1' })));
  // Licences: the card with a choice of subscriptions, one without, the confirm card, refusals and the outcome.
  const licences = flow.licences;
  add('add-licences, several', await licences.startById(tr, contoso.id));
  add('add-licences, one', await licences.startById(tr, contoso.id, 'sub-contoso-exchange'));
  const wingtip = customers.find((c) => c.companyProfile.companyName === 'Wingtip Toys')!;
  add('add-licences, a trial', await licences.startById(tr, wingtip.id));
  const asked = { customerId: contoso.id, subscriptionId: 'sub-contoso-exchange', mode: 'add' as const };
  add('licences refused', await licences.review(tr, { ...asked, seats: 0 }, actor));
  const licence = await licences.review(tr, { ...asked, seats: 8 }, actor);
  add('licences confirm', licence);
  const licenceToken = licence?.card?.name === 'confirm' ? licence.card.data.token : '';
  add('licences done', await flow.confirm(tr, licenceToken, as({ id: 'a', aadObjectId: 'aad-1' })));
  add('licences already', await flow.confirm(tr, licenceToken, as({ id: 'a', aadObjectId: 'aad-1' })));
  store.close();
  return out;
}
