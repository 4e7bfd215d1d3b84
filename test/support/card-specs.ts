/** Every card the bot's answers and upgrade flow can make over the demo directory, for the card tests. */
import { eligibilityAnswer, targetEligibilityAnswer } from '../../src/bot/answers/eligibility.js';
import { ambiguousAnswer } from '../../src/bot/answers/customer-choice.js';
import type { Reply } from '../../src/bot/answers/reply.js';
import type { CardSpec } from '../../src/bot/cards/data.js';
import { LANGUAGES, Wording } from '../../src/bot/i18n.js';
import { UpgradeFlow } from '../../src/bot/upgrade-flow.js';
import { loadDemoDirectory } from '../../src/directory/load.js';
import { CustomerIndex } from '../../src/directory/customer-index.js';
import { openStore } from '../../src/storage/store.js';

interface LabelledCard {
  label: string;
  spec: CardSpec;
}

const wording = new Wording();
const customers = loadDemoDirectory().customers;
const lookup = new CustomerIndex(customers);

/** Every card the answers can make over the demo directory, in every language. */
export function allCards(): LabelledCard[] {
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
    out.push(...flowCards(language));
    const fabr = lookup.search('fabrikam', 3).map((c) => customers.find((x) => x.id === c.customer.id)!);
    const amb = ambiguousAnswer(tr, 'fabrikam', fabr, { intent: 'eligibility', target: '' });
    if (amb.card) out.push({ label: `${language} disambiguation`, spec: amb.card });
  }
  return out;
}

/** The upgrade flow's cards: choose, confirm (live and read-only), and each outcome. */
function flowCards(language: string): LabelledCard[] {
  const tr = wording.for(language);
  const store = openStore({ dataDir: ':memory:', seed: loadDemoDirectory() });
  const flow = new UpgradeFlow({ directory: store.directory, ledger: store.ledger, approvers: ['aad-1'] });
  const contoso = customers.find((c) => c.companyProfile.companyName === 'Contoso Ltd')!;
  const actor = { id: 'u1', name: 'Megan Bowen' };
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
  add('choose-target', flow.choose(tr, contoso.id, 'sub-contoso-essentials'));
  const review = flow.review(tr, input, actor, 'c1');
  add('confirm', review);
  const token = review?.card?.name === 'confirm' ? review.card.data.token : '';
  add('confirm read-only', flow.current(tr, token, { id: 'someone-else' }));
  add(
    'refused at review',
    flow.review(tr, { ...input, target: 'O365_BUSINESS_PREMIUM', seats: 301 }, actor, 'c1'),
  );
  const other = flow.review(tr, { ...input, target: 'O365_E1' }, actor, 'c1');
  add('cancelled', flow.cancel(tr, other?.card?.name === 'confirm' ? other.card.data.token : '', actor));
  add('done', flow.confirm(tr, token, { id: 'a', aadObjectId: 'aad-1', name: 'Approver' }));
  add('already', flow.confirm(tr, token, { id: 'a', aadObjectId: 'aad-1' }));
  store.close();
  return out;
}
