/**
 * The data each card template in `cards/` is bound to: one interface per template. Every field is
 * required so that no `${…}` is ever left unbound.
 */

export interface Fact {
  readonly title: string;
  readonly value: string;
}

/** A button to an article the Partner Center article cites; both '' for none. */
export interface LinkButton {
  readonly linkTitle: string;
  readonly linkUrl: string;
}

/** A button that starts adding licences to a subscription; title '' for none. */
export interface AddLicencesButton {
  readonly title: string;
  readonly customerId: string;
  readonly subscriptionId: string;
}

export const NO_ADD_LICENCES: AddLicencesButton = { title: '', customerId: '', subscriptionId: '' };

export interface ReasonLine extends LinkButton {
  readonly text: string;
  readonly remedy: string;
  /** Condition 4, the plan owned through us: "Add licences" to that subscription instead of an upgrade. */
  readonly addLicences: AddLicencesButton;
}

export interface BlockSection {
  readonly heading: string;
  readonly reasons: readonly ReasonLine[];
}

export type VerdictColor = 'Good' | 'Attention' | 'Warning' | 'Default';

export interface SubscriptionSection {
  readonly id: string;
  readonly heading: string;
  readonly verdict: string;
  readonly verdictColor: VerdictColor;
  readonly facts: readonly Fact[];
  /** Extra notes (the India rule); empty for none. */
  readonly notes: string;
  /** "Can move to: …"; empty for none. */
  readonly eligibleLine: string;
  readonly blocks: readonly BlockSection[];
  /** Shows the "Upgrade…" action. */
  readonly upgradable: boolean;
}

/** One line for a subscription shown in brief, with a "Details" action that fetches its card. */
export interface SubscriptionLine {
  readonly id: string;
  /** Its name, verdict and, when blocked, what blocks it in a word or two. */
  readonly text: string;
}

/**
 * cards/eligibility.json: the answer for a customer, a page at a time (a Teams message has a size limit). The
 * upgradable subscriptions come first, in full (`subscriptions`); the others one line each (`others`); what the
 * customer already has, that blocks some plan, is said once (`owned`).
 */
export interface EligibilityCardData {
  readonly title: string;
  /** '' for none (a subscription's details). */
  readonly summary: string;
  /** How fresh the data is ("As of 10:42"), or '' (the directory file). */
  readonly freshness: string;
  /** What was not checked on the synced copy (delegated admin unknown), or ''. */
  readonly notChecked: string;
  readonly fallbackText: string;
  readonly customerId: string;
  /** The plan asked about, or '': the Details and next-page actions answer the same question. */
  readonly target: string;
  readonly labels: { readonly upgrade: string; readonly details: string };
  /** The subscriptions shown in full. */
  readonly subscriptions: readonly SubscriptionSection[];
  /** "The customer already has:", or '' when nothing it has blocks a plan shown. */
  readonly ownedTitle: string;
  /** Each subscription that blocks a plan shown because the plan would add what it has: once, with its remedy. */
  readonly owned: readonly ReasonLine[];
  /** "Other subscriptions", or '' for none. */
  readonly othersTitle: string;
  readonly others: readonly SubscriptionLine[];
  /** "Other subscriptions" whose offers the catalog does not judge (no verdict of ours), or '' for none. */
  readonly unjudgedTitle: string;
  readonly unjudged: readonly TextLine[];
  /** "40 more subscriptions", or '' when this is the last page. */
  readonly more: string;
  readonly moreLabel: string;
  /** Where the next page starts. */
  readonly nextOffset: number;
}

export interface CandidateRow {
  readonly customerId: string;
  readonly name: string;
  readonly detail: string;
}

/** cards/disambiguation.json */
export interface DisambiguationCardData {
  readonly question: string;
  readonly fallbackText: string;
  /** The question to answer once a customer is chosen. */
  readonly intent: string;
  /** The plan named in the question, or ''. */
  readonly target: string;
  /** Licences: the seats asked (`add:8`, `total:60`), or ''. */
  readonly seats: string;
  readonly labels: { readonly choose: string };
  readonly candidates: readonly CandidateRow[];
}

export interface TargetChoice {
  /** The offer id. */
  readonly value: string;
  /** The offer's name and what it adds. */
  readonly title: string;
}

/** cards/choose-target.json */
export interface ChooseTargetCardData {
  readonly title: string;
  readonly subtitle: string;
  /** How fresh the data is ("As of 10:42"), or '' (the directory file). */
  readonly freshness: string;
  readonly fallbackText: string;
  readonly customerId: string;
  readonly subscriptionId: string;
  /** Only the eligible targets. */
  readonly targets: readonly TargetChoice[];
  /** The pre-selected target's offer id. */
  readonly selected: string;
  readonly seats: number;
  readonly minSeats: number;
  readonly maxSeats: number;
  readonly labels: {
    readonly target: string;
    readonly targetRequired: string;
    readonly seats: string;
    readonly seatsError: string;
    readonly seatsHint: string;
    readonly transfer: string;
    readonly review: string;
  };
}

/** cards/add-licences.json: which subscription (when there are several) and how many licences. */
export interface AddLicencesCardData {
  readonly title: string;
  readonly subtitle: string;
  /** How fresh the data is ("As of 10:42"), or '' (the directory file). */
  readonly freshness: string;
  readonly fallbackText: string;
  readonly customerId: string;
  /** The subscriptions to choose from, shown only when there are several (`showChoice`). */
  readonly showChoice: boolean;
  readonly subscriptions: readonly TargetChoice[];
  /** The pre-selected subscription's id. */
  readonly selected: string;
  /** The only subscription, when no choice is shown; '' otherwise. */
  readonly shownSubscriptionId: string;
  /** `add`: the input is the number of licences to add; `total`: the new total. */
  readonly mode: 'add' | 'total';
  /** What was asked, pre-filled. */
  readonly seats: number;
  readonly labels: {
    readonly subscription: string;
    readonly subscriptionRequired: string;
    readonly seats: string;
    readonly seatsError: string;
    readonly seatsHint: string;
    readonly review: string;
  };
}

export interface TextLine {
  readonly text: string;
}

/** cards/confirm.json */
export interface ConfirmCardData {
  readonly title: string;
  /** How fresh the data is ("As of 10:42"), or '' (the directory file). */
  readonly freshness: string;
  readonly fallbackText: string;
  /** Customer, subscription, from → to, seats, upgrade type, added services. */
  readonly facts: readonly Fact[];
  /** Upgrade only: what happens to the old subscription and its users, said before Confirm; '' otherwise. */
  readonly warning: string;
  readonly billing: string;
  /** Common billing scenarios. */
  readonly billingLink: LinkButton;
  readonly accountsTitle: string;
  /** The accounts that will need manual work. */
  readonly accounts: readonly TextLine[];
  /** Licence reassignment when changing plans, when some account needs manual work; '' otherwise. */
  readonly accountsLink: LinkButton;
  /** Who may confirm, or ''. */
  readonly note: string;
  /** The confirm token: the upgrade it confirms happens at most once. */
  readonly token: string;
  /** Shows Confirm and Cancel; false for the read-only view. */
  readonly live: boolean;
  readonly labels: { readonly confirm: string; readonly cancel: string };
}

/** cards/outcome.json: done, cancelled, refused now, already done, failed. */
export interface OutcomeCardData {
  readonly title: string;
  readonly color: VerdictColor;
  readonly message: string;
  readonly fallbackText: string;
  readonly facts: readonly Fact[];
  readonly linesTitle: string;
  /** Affected accounts (done) or current reasons (refused). */
  readonly lines: readonly TextLine[];
  readonly nextStepsTitle: string;
  readonly nextSteps: readonly TextLine[];
  /** The articles the lines and steps refer to, each once. */
  readonly links: readonly LinkButton[];
}

/** cards/more.json: a long answer's next page ("show older", "next 10"). */
export interface MoreCardData {
  /** What is not shown yet, e.g. "25 older upgrades". */
  readonly text: string;
  readonly label: string;
  /** The card action that shows the next page, and its data (`key`: the customer, or the plan for a fleet). */
  readonly verb: 'historyPage' | 'fleetPage';
  readonly key: string;
  readonly offset: number;
}

/** Every template in `cards/`, by file name. */
export interface CardDataMap {
  eligibility: EligibilityCardData;
  disambiguation: DisambiguationCardData;
  'choose-target': ChooseTargetCardData;
  'add-licences': AddLicencesCardData;
  confirm: ConfirmCardData;
  outcome: OutcomeCardData;
  more: MoreCardData;
}

export type CardName = keyof CardDataMap;

/** A card to send: the template and its data, kept typed until it is rendered for a channel. */
export type CardSpec = { [K in CardName]: { readonly name: K; readonly data: CardDataMap[K] } }[CardName];
