/** Which PostgreSQL failures mean "the database cannot be reached now" (the user is told to try again). */
import { describe, expect, it } from 'vitest';
import { isPgUnavailable } from '../../src/postgres/errors.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isPgUnavailable', () => {
  it('a refused or cut connection, a server shutting down or out of connections: unavailable', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      withCode('getaddrinfo EAI_AGAIN db.example', 'EAI_AGAIN'),
      new Error('PostgreSQL at db:5432/ua: cannot connect', {
        cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED'),
      }),
    ]) {
      expect(isPgUnavailable(error), error.message).toBe(true);
    }
  });

  it('errors of the statement or the data are not: they are bugs or refusals, not outages', () => {
    for (const error of [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('syntax error at or near "SELEC"', '42601'),
      withCode('canceling statement due to statement timeout', '57014'),
      new Error('Cannot save a customer without an id'),
      'a string',
      undefined,
    ]) {
      expect(isPgUnavailable(error)).toBe(false);
    }
  });
});
