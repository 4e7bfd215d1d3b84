/**
 * Thanks, yes and no on their own (issue 16): answered as what they are, in the user's language, after any
 * answer; a typed "yes" never starts or confirms an upgrade. A sentence that says more goes to the classifier.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { smallTalkOf } from '../../src/bot/nlu/small-talk.js';
import { cardOf, createTestBot, type TestBot } from '../support/bot.js';

describe('smallTalkOf', () => {
  it.each([
    ['thanks', 'thanks'],
    ['Thank you!', 'thanks'],
    ['  merci beaucoup !', 'thanks'],
    ['ありがとうございます。', 'thanks'],
    ['ｻﾝｷｭｰ', 'thanks'],
    ['yes', 'yes'],
    ['OK.', 'yes'],
    ['oui', 'yes'],
    ['D’accord', 'yes'],
    ['はい', 'yes'],
    ['了解です！', 'yes'],
    ['no', 'no'],
    ['non merci', 'no'],
    ['いいえ', 'no'],
  ])('%s is %s', (text, kind) => {
    expect(smallTalkOf(text)).toBe(kind);
  });

  it.each([
    'yes, upgrade Contoso to E3',
    'thanks, can Contoso upgrade?',
    'はい、Contosoをアップグレードして',
    'Contoso',
    'no upgrade for Fabrikam?',
  ])('"%s" says more: left to the classifier', (text) => {
    expect(smallTalkOf(text)).toBeUndefined();
  });
});

describe('in a conversation', () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await createTestBot();
  });
  afterEach(async () => {
    await bot.close();
  });

  it.each([
    ['en-US', 'thanks', "You're welcome"],
    ['fr-FR', 'merci', 'Avec plaisir'],
    ['ja-JP', 'ありがとう', 'どういたしまして'],
  ])('%s: "%s" is answered as thanks, not with the help', async (locale, text, expected) => {
    const [reply] = await bot.say(text, { locale });
    expect(reply?.text).toContain(expected);
    expect(cardOf(reply!)).toBeUndefined();
  });

  it.each([
    ['en-US', 'can Contoso upgrade?', 'yes', 'changes nothing'],
    ['fr-FR', 'Contoso peut-il passer à une offre supérieure ?', 'oui', 'ne change rien'],
    ['ja-JP', 'Contosoはアップグレードできますか？', 'はい', '何も変わりません'],
  ])(
    '%s: a bare yes after an answer about a customer starts nothing',
    async (locale, question, yes, expected) => {
      await bot.say(question, { locale });
      const replies = await bot.say(yes, { locale });
      expect(replies).toHaveLength(1);
      expect(replies[0]?.text).toContain(expected);
      expect(cardOf(replies[0]!)).toBeUndefined();
      expect(await bot.ledger.history((await bot.customerNamed('Contoso Ltd')).id)).toEqual([]);
    },
  );

  it('"no" says that nothing was changed', async () => {
    const [reply] = await bot.say('no', { locale: 'en-US' });
    expect(reply?.text).toContain('nothing was changed');
  });
});
