/**
 * Words that are never a customer name on their own when they appear in a question to the bot: function
 * words and the vocabulary of upgrades in English, French and Japanese, and every word of the catalog's offer
 * names ("Business", "Premium", "E3"…), so that a plan is not mistaken for a customer. All folded (fold()).
 */
import { CATALOG } from '../rules/index.js';
import { fold, words } from './name-normalize.js';

const ENGLISH = `
a an the this that these those it its it's they them their there here we our us you your i me my he she his her
can could would will should shall may might must is are was were be been being do does did done have has had
for to from of in on at by with without into onto about over under up down out as if then than so but and or
nor not no yes what which who whom whose why how when where whether all any some every each many much more most
other others only also just still yet now today tomorrow yesterday please thanks thank hi hello hey ok okay help
t s d ll re ve m don doesn didn isn aren wasn weren won wouldn couldn shouldn can't cannot
customer customers client clients tenant tenants account accounts company companies org organisation
organization partner subscription subscriptions licence licences license licenses seat seats user users plan
plans offer offers product products sku skus service services target targets
upgrade upgrades upgraded upgrading upgradable upgradeable eligible eligibility ineligible move moved moving
switch switched migrate migration change changed go going get start started begin run show list tell check
see find give let make made need needs want wants history audit log done blocked blocking reason reasons why
current currently existing last next week weeks month months year years ago recently
approved approve approver everyone everybody anyone someone team good morning afternoon evening
www http https com net org onmicrosoft
`;

const FRENCH = `
le la les l un une des du de d au aux a et ou en pour par sur sous avec sans dans chez vers entre
est sont etait etre ete a ont avait avoir fait faire faites faits peut peuvent pourrait pourraient puis peux
pouvez pouvons doit doivent veux voudrais
ce cet cette ces c ca cela ceci que qu qui quoi quel quelle quels quelles lequel laquelle dont ou
je j tu il elle on nous vous ils elles me m te se s lui leur leurs son sa ses mon ma mes notre nos votre vos y
ne n pas plus non oui si tout tous toute toutes aucun aucune chaque autre autres deja encore aussi bien tres
combien comment pourquoi quand possible possibles eligible eligibles aide bonjour salut merci svp stp
client clients cliente clientes societe entreprise entreprises compte comptes abonnement abonnements licence
licences siege sieges utilisateur utilisateurs offre offres forfait forfaits produit produits
mettre mise mises niveau niveaux jour passer passe migrer migration monter montee gamme changer changement
historique journal effectue effectuee effectues effectuees bloque bloquee raison raisons cible cibles
lancer demarrer commencer evoluer voir montrer afficher donner dire savoir
`;

/** Japanese words written in katakana or kanji (hiragana runs are never part of a name: mention-finder.ts). */
const JAPANESE = `
アップグレード グレードアップ 移行 変更 切替 切り替え 可能 可否 対象 理由 条件 履歴 実績 一覧 確認 教 開始 実行
顧客 お客様 客 会社 企業 法人 社 御社 貴社 弊社 様 殿 テナント アカウント パートナー カスタマー ユーザー ユーザ
契約 サブスクリプション ライセンス プラン 製品 商品 サービス 席 数 シート ヘルプ 助 何 誰 全 全部 全て どの
オフィス ビジネス プレミアム エッセンシャルズ エッセンシャル ベーシック スタンダード エンタープライズ
マイクロソフト エクスチェンジ オンライン シェアポイント スカイプ アプリ インド 今 現在 次 前
`;

function catalogWords(): string[] {
  const out: string[] = [];
  for (const offer of Object.values(CATALOG)) {
    for (const name of [offer.name, offer.name2020 ?? '', ...offer.shortNames]) out.push(...words(name));
  }
  return out;
}

const LANGUAGE_WORDS = [ENGLISH, FRENCH, JAPANESE]
  .flatMap((list) => list.split(/\s+/))
  .filter((w) => w.length > 0)
  .flatMap((w) => words(fold(w)));

/**
 * The words of the catalog's offer names that are not everyday words ("India", "Business", "Premium"):
 * stopwords, yet often part of a name too ("Tailspin Toys India Pvt Ltd").
 */
export const CATALOG_WORDS: ReadonlySet<string> = new Set(
  catalogWords().filter((w) => !/^[0-9]+$/.test(w) && !LANGUAGE_WORDS.includes(w)),
);

export const STOPWORDS: ReadonlySet<string> = new Set(
  LANGUAGE_WORDS.concat(catalogWords(), ['o365', 'm365', 'ms', 'e1', 'e3', 'e5', 'e7', 'f1', 'f3', 'proplus'])
    // Numbers are never content words (mention-finder.ts) but may end a name ("Groupe Dubois Lille 3").
    .filter((w) => !/^[0-9]+$/.test(w)),
);

/**
 * Generic words a name may start with before its distinctive part ("Société Lamna", "The Phone Company",
 * "A. Datum"): a partial mention of the words after them counts as the start of the name.
 */
export const LEADING_GENERIC: ReadonlySet<string> = new Set([
  'the',
  'le',
  'la',
  'les',
  'l',
  'societe',
  'ste',
  'groupe',
  'group',
  'cabinet',
  'etablissements',
  'ets',
  'maison',
  'laboratoires',
  'die',
  'der',
  'das',
]);

/** Short words that join the parts of a name: "Bank of Contoso", "Informatica De Luca", "Müller und Söhne". */
export const CONNECTORS: ReadonlySet<string> = new Set([
  'of',
  'and',
  'the',
  'de',
  'du',
  'des',
  'del',
  'della',
  'di',
  'da',
  'do',
  'dos',
  'la',
  'le',
  'les',
  'et',
  'y',
  'e',
  'van',
  'von',
  'der',
  'den',
  'und',
]);
