/**
 * "Can Contoso move to Microsoft 365 E3?": Microsoft 365 E3, Microsoft 365 E5 and Microsoft 365 Business
 * Premium are other products (rules/other-products.ts), not among the upgrades of the Partner Center table.
 * The answer says so, names the Office 365 offer of the same tier (with its present name where it was renamed:
 * "Office 365 Business Premium, now Microsoft 365 Business Standard"), and offers the same question about
 * that offer as a button.
 */
import { CATALOG, OTHER_PRODUCTS, type OtherProductId } from '../../rules/index.js';
import { offerName, sentences } from '../explain.js';
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';

/** The question the user asked, to ask again about the Office 365 offer. */
export type OtherProductQuestion = 'eligibility' | 'paths' | 'fleet';

export function otherProductAnswer(
  tr: Translator,
  product: OtherProductId,
  question: OtherProductQuestion,
  customer?: string,
): Reply {
  const { name, sameTier } = OTHER_PRODUCTS[product];
  const offer = offerName(tr, sameTier);
  const renamed = CATALOG[sameTier].name2020;
  const named = renamed === undefined ? offer : tr.t('otherProduct.renamed', { offer, name: renamed });
  const text = sentences(
    tr,
    tr.t('otherProduct.notInTable', { product: name }),
    tr.t('otherProduct.sameTier', { offer: named }),
  );
  const ask =
    question === 'eligibility' && customer !== undefined
      ? tr.t('otherProduct.askEligibility', { customer, offer })
      : question === 'fleet'
        ? tr.t('otherProduct.askFleet', { offer })
        : tr.t('otherProduct.askPaths', { offer });
  return { text, suggestions: [ask] };
}
