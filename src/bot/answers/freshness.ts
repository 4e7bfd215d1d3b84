/**
 * How fresh an answer's data is, when it comes from Partner Center synced into the store: "As of 10:42" for a
 * customer (when it was read), the last full sync for a fleet question, and, when the syncs have failed for
 * more than two periods, that the data is old. The embedded directory file says nothing: it is what it is.
 */
import { LRUCache } from 'lru-cache';
import type { DirectorySource, SyncStatus } from '../../core/system-of-record.js';
import type { Customer } from '../../rules/index.js';
import type { Translator } from '../i18n.js';
import type { Reply } from './reply.js';

/**
 * A moment in the user's time zone and language: the time alone when it is today there ("10:42"), else the
 * date too ("4 Mar 2025, 10:42").
 */
export function momentText(tr: Translator, iso: string, now = new Date()): string {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  const day = formatter('en-CA', tr.timeZone, 'day');
  const today = day.format(moment) === day.format(now);
  return formatter(tr.language, tr.timeZone, today ? 'time' : 'moment').format(moment);
}

/**
 * The formatters by language, zone and kind: making one costs ~0.4 ms, a tenth of an eligibility turn, and every
 * answer from Partner Center's data says how fresh it is. Bounded: the zones come from the clients.
 */
const formatters = new LRUCache<string, Intl.DateTimeFormat>({ max: 500 });

function formatter(language: string, timeZone: string, kind: 'day' | 'time' | 'moment'): Intl.DateTimeFormat {
  const key = `${language} ${timeZone} ${kind}`;
  let format = formatters.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(language, {
      timeZone,
      ...(kind === 'day'
        ? { dateStyle: 'short' }
        : { timeStyle: 'short', ...(kind === 'moment' ? { dateStyle: 'medium' } : {}) }),
    });
    formatters.set(key, format);
  }
  return format;
}

/** The stale line, when the syncs have failed (or none finished) for more than two periods. */
function staleLine(tr: Translator, status: SyncStatus, dataAt: string | undefined): string | undefined {
  if (!status.stale) return undefined;
  const since = status.lastSuccessAt;
  if (since === undefined) return tr.t('freshness.staleNever');
  return tr.t('freshness.stale', { since: momentText(tr, since), time: momentText(tr, dataAt ?? since) });
}

/** What a customer answer says of its data's freshness: nothing for the directory file. */
export function customerFreshness(tr: Translator, customer: Customer, status: SyncStatus): string {
  if (status.source === 'file') return '';
  const lines = [
    customer.syncedAt === undefined
      ? undefined
      : tr.t('freshness.asOf', { time: momentText(tr, customer.syncedAt) }),
    staleLine(tr, status, customer.syncedAt),
  ];
  return lines.filter((l) => l !== undefined).join(' ');
}

/** What a fleet answer says: the last full sync, and whether it is old. */
export function fleetFreshness(tr: Translator, status: SyncStatus): string {
  if (status.source === 'file') return '';
  const lines = [
    status.lastSuccessAt === undefined
      ? undefined
      : tr.t('freshness.fleetAsOf', { time: momentText(tr, status.lastSuccessAt) }),
    staleLine(tr, status, status.lastSuccessAt),
  ];
  return lines.filter((l) => l !== undefined).join(' ');
}

/**
 * The reply with its freshness said: after the text, and on the card that has a place for it (eligibility,
 * choose-target, confirm). Other replies get it in their text only.
 */
export function withFreshness(reply: Reply, freshness: string): Reply {
  if (freshness === '') return reply;
  const text = `${reply.text}\n${freshness}`;
  const card = reply.card;
  if (
    card?.name === 'eligibility' ||
    card?.name === 'choose-target' ||
    card?.name === 'add-licences' ||
    card?.name === 'confirm'
  ) {
    return { ...reply, text, card: { ...card, data: { ...card.data, freshness } } as typeof card };
  }
  return { ...reply, text };
}

/** A card about one customer with how fresh its data is, from `source` (nothing without one: the tests' flows). */
export async function withCustomerFreshness(
  tr: Translator,
  source: DirectorySource | undefined,
  customer: Customer,
  reply: Reply,
): Promise<Reply> {
  return source === undefined
    ? reply
    : withFreshness(reply, customerFreshness(tr, customer, await source.status()));
}
