/**
 * Who may confirm, cancel, or see live a confirm card, and where. A token works only in the channel,
 * conversation and tenant where its card was issued. Approvers are named per channel: a bare id or
 * `msteams:<id>` is a Teams user (AAD object id or Teams user id), accepted on Teams only; any other channel
 * needs `<channel>:<userId>`. With no approver configured, only the requester may confirm.
 */
import type { Actor, LedgerEntry, Place } from './ledger.js';

export const TEAMS_CHANNEL = 'msteams';

/** A user and the place they act from, as the channel says (never from card data). */
export interface Caller {
  readonly user: Actor;
  readonly place: Place;
}

export interface ApproverRef {
  readonly channelId: string;
  readonly userId: string;
}

export interface ApprovalOptions {
  /** `UPGRADE_APPROVERS` entries: `id`, `msteams:id` or `channel:id`. */
  readonly approvers: readonly string[];
  /** A requester may not confirm their own request. */
  readonly fourEyes?: boolean;
  /**
   * Whether confirms are accepted from channels whose user ids the client chooses (every channel but Teams:
   * Web Chat, Direct Line, the Emulator…). The composition root says no in production unless opted in.
   */
  readonly trustClientUserIds?: boolean;
}

/** Why an action on a token is refused. */
export type Refusal =
  /** The token was issued in another channel, conversation or tenant. */
  | 'wrong_place'
  /** Confirm: not an approver (or, without approvers, not the requester). */
  | 'not_approver'
  /** Confirm: four eyes, and this is the requester. */
  | 'own_request'
  /** Confirm from a channel whose user ids the client chooses. */
  | 'untrusted_channel'
  /** Cancel: neither the requester nor an approver. */
  | 'not_allowed';

/** Reads `UPGRADE_APPROVERS` entries; throws on an entry with an empty channel or id. */
export function parseApprovers(entries: readonly string[]): ApproverRef[] {
  return entries.map((entry) => {
    const colon = entry.indexOf(':');
    // Teams user ids contain a colon ("29:…"): a bare Teams user id is not a channel prefix.
    const prefixed = colon > 0 && !/^\d+$/.test(entry.slice(0, colon));
    const channelId = prefixed ? entry.slice(0, colon).trim().toLowerCase() : TEAMS_CHANNEL;
    const userId = prefixed ? entry.slice(colon + 1).trim() : entry.trim();
    if (channelId === '' || userId === '') throw new Error(`Approver "${entry}" names no user`);
    return { channelId, userId };
  });
}

function samePlace(a: Place | undefined, b: Place): boolean {
  return (
    a !== undefined &&
    a.channelId === b.channelId &&
    a.conversationId === b.conversationId &&
    (a.tenantId ?? '').toLowerCase() === (b.tenantId ?? '').toLowerCase()
  );
}

export class ApprovalPolicy {
  readonly approvers: readonly ApproverRef[];
  private readonly fourEyes: boolean;
  private readonly trustClientUserIds: boolean;

  constructor(options: ApprovalOptions) {
    this.approvers = parseApprovers(options.approvers);
    this.fourEyes = options.fourEyes ?? false;
    this.trustClientUserIds = options.trustClientUserIds ?? true;
    if (this.fourEyes && this.approvers.length === 0) {
      throw new Error('Four eyes needs approvers: with none, only the requester may confirm');
    }
  }

  get approversConfigured(): boolean {
    return this.approvers.length > 0;
  }

  /** A configured approver, on the channel the entry names (on Teams: AAD object id or Teams user id). */
  isApprover(caller: Caller): boolean {
    const { user, place } = caller;
    return this.approvers.some(
      (a) =>
        a.channelId === place.channelId &&
        (a.userId === user.id || (place.channelId === TEAMS_CHANNEL && a.userId === user.aadObjectId)),
    );
  }

  isRequester(entry: LedgerEntry, caller: Caller): boolean {
    return samePlace(entry.place, caller.place) && entry.requestedBy.id === caller.user.id;
  }

  confirmRefusal(entry: LedgerEntry, caller: Caller): Refusal | undefined {
    if (!samePlace(entry.place, caller.place)) return 'wrong_place';
    if (caller.place.channelId !== TEAMS_CHANNEL && !this.trustClientUserIds) return 'untrusted_channel';
    const requester = this.isRequester(entry, caller);
    if (this.fourEyes && requester) return 'own_request';
    const allowed = this.approversConfigured ? this.isApprover(caller) : requester;
    return allowed ? undefined : 'not_approver';
  }

  cancelRefusal(entry: LedgerEntry, caller: Caller): Refusal | undefined {
    if (!samePlace(entry.place, caller.place)) return 'wrong_place';
    return this.isRequester(entry, caller) || this.isApprover(caller) ? undefined : 'not_allowed';
  }

  /** Whether the caller sees the live card (Confirm, Cancel) rather than the read-only one. */
  seesLive(entry: LedgerEntry, caller: Caller): boolean {
    return this.cancelRefusal(entry, caller) === undefined;
  }

  /** The Teams user ids (`29:…`) among the approvers: Teams refreshes a card for these. */
  teamsUserIds(): string[] {
    return this.approvers
      .filter((a) => a.channelId === TEAMS_CHANNEL && a.userId.startsWith('29:'))
      .map((a) => a.userId);
  }
}
