/**
 * Messages that are only thanks, or only yes or no ("thanks", « merci », 「ありがとう」, "ok", 「はい」): the
 * classifier, trained on questions, reads them as asking for help or even as a request to upgrade. They are
 * answered as what they are, and change nothing: a typed "yes" never confirms a card.
 *
 * A whole-message match on a short list, after the text is normalized (width and case folded, punctuation,
 * emoji and spaces dropped): a sentence that says more ("yes, upgrade Contoso") goes to the classifier.
 */
export type SmallTalk = 'thanks' | 'yes' | 'no';

const PHRASES: Record<SmallTalk, readonly string[]> = {
  thanks: [
    'thanks',
    'thank you',
    'thanks a lot',
    'thank you very much',
    'many thanks',
    'thx',
    'ty',
    'cheers',
    'great thanks',
    'perfect thanks',
    'merci',
    'merci beaucoup',
    'merci bien',
    'super merci',
    'parfait merci',
    'ありがとう',
    'ありがとうございます',
    'ありがとうございました',
    'どうもありがとう',
    'どうも',
    '助かりました',
    'サンキュー',
  ],
  yes: [
    'yes',
    'yeah',
    'yep',
    'sure',
    'ok',
    'okay',
    'oui',
    'ouais',
    "d'accord",
    'ça marche',
    'はい',
    'うん',
    'ええ',
    'オーケー',
    '了解',
    '了解です',
    'わかりました',
    '👍',
  ],
  no: ['no', 'nope', 'nah', 'no thanks', 'non', 'non merci', 'いいえ', 'いや', '結構です', 'いらない'],
};

function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/[\s!?.,。、！？…~〜ー]+$/u, '')
    .replace(/^[\s!?.,。、！？…]+/u, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const BY_TEXT: ReadonlyMap<string, SmallTalk> = new Map(
  (Object.entries(PHRASES) as [SmallTalk, readonly string[]][]).flatMap(([kind, phrases]) =>
    phrases.map((p) => [normalize(p), kind] as const),
  ),
);

/** What the message is when it is only thanks, yes or no; undefined otherwise. */
export function smallTalkOf(message: string): SmallTalk | undefined {
  return BY_TEXT.get(normalize(message));
}
