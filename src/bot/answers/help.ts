/** Help and welcome: what the bot does, with example questions in the user's language. */
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';

export function helpAnswer(tr: Translator): Reply {
  const examples = tr.t('help.examples', { returnObjects: true }) as unknown as string[];
  const text = [
    `**${tr.t('help.title')}**`,
    tr.t('help.intro'),
    tr.t('help.examplesTitle'),
    ...examples.map((e) => `- ${e}`),
  ].join('\n\n');
  return { text, suggestions: examples.slice(0, 3) };
}

export function notUnderstoodAnswer(tr: Translator): Reply {
  const examples = tr.t('help.examples', { returnObjects: true }) as unknown as string[];
  return { text: tr.t('notUnderstood'), suggestions: examples.slice(0, 3) };
}
