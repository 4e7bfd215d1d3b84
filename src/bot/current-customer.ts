/**
 * The customer as the system of record holds it now, for a step that records what a confirm is checked against
 * (the seats a card shows): read again from Partner Center, so that it never lags a change made there since the
 * last sync; the store's copy for the directory file. When Partner Center cannot be read, the answer that says
 * why, and nothing is prepared.
 */
import {
  SystemOfRecordAuthError,
  SystemOfRecordRejectedError,
  SystemOfRecordUnavailableError,
  type DirectorySource,
} from '../core/system-of-record.js';
import type { Customer } from '../rules/index.js';
import { systemOfRecordErrorAnswer, systemOfRecordRejectedAnswer } from './answers/partner-center.js';
import type { Reply } from './answers/reply.js';
import type { Translator } from './i18n.js';

export type CurrentCustomer = { readonly customer: Customer } | { readonly reply: Reply };

export async function currentCustomer(
  tr: Translator,
  source: DirectorySource | undefined,
  known: Customer,
): Promise<CurrentCustomer> {
  if (source === undefined || source.kind === 'file') return { customer: known };
  try {
    const result = await source.refresh(known.id);
    if (result.kind === 'refreshed') return { customer: result.customer };
    // Partner Center no longer has it (the refresh removed it from the store): said as its 404 is.
    if (result.kind === 'removed') return { reply: systemOfRecordRejectedAnswer(tr, known, 404) };
    return { customer: known };
  } catch (error) {
    if (error instanceof SystemOfRecordRejectedError) {
      return { reply: systemOfRecordRejectedAnswer(tr, known, error.status) };
    }
    if (error instanceof SystemOfRecordAuthError) return { reply: systemOfRecordErrorAnswer(tr, 'auth') };
    if (error instanceof SystemOfRecordUnavailableError) {
      return { reply: systemOfRecordErrorAnswer(tr, 'unavailable') };
    }
    throw error;
  }
}
