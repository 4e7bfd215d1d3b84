/** What a PostgreSQL failure means for the caller: the server cannot be reached, or something else. */
import { sqlState } from './migrations.js';

/** SQLSTATE classes and codes of a server that is away, shutting down or out of connections. */
const UNAVAILABLE_STATES = /^(08|57P0[1-3]|53300|53400)/;

/** Node system errors of a connection that cannot be made or was cut. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages node-postgres gives to the errors it raises itself (no code). */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'Query read timeout',
];

/** True when the error says that the database cannot be reached now (worth "try again in a moment"). */
export function isPgUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const state = sqlState(e);
    if (state !== undefined && (UNAVAILABLE_STATES.test(state) || UNAVAILABLE_CODES.has(state))) return true;
    if (UNAVAILABLE_MESSAGES.some((m) => e instanceof Error && e.message.includes(m))) return true;
  }
  return false;
}
