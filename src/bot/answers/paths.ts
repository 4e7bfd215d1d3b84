/** "What can Business Essentials upgrade to?": the catalog's paths, with the India rule where relevant. */
import { indiaRuleApplies, upgradeTargets, type OfferId } from '../../rules/index.js';
import { offerList, offerName } from '../explain.js';
import type { Translator } from '../i18n.js';
import { link } from '../links.js';
import type { Reply } from './reply.js';

export function pathsAnswer(tr: Translator, source: OfferId): Reply {
  const offer = offerName(tr, source);
  const targets = upgradeTargets(source);
  if (targets.length === 0) {
    // A text answer: the article the seeds cite for switching plans, as a markdown link.
    const { title, url } = link(tr, 'switchPlans');
    return { text: `${tr.t('paths.none', { offer })}\n\n[${title}](${url})` };
  }
  const lines = [tr.t('paths.targets', { offer, targets: offerList(tr, targets) })];
  if (indiaRuleApplies(source)) lines.push(tr.t('paths.india', { offer }));
  else if (targets.includes('O365_BUSINESS_PREMIUM')) lines.push(tr.t('paths.indiaHint'));
  return { text: lines.join('\n\n') };
}
