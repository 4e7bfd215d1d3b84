/**
 * Graceful shutdown of the HTTP side: stop accepting requests, wait for the ones in flight (at most
 * `timeoutMs`), then close the connections.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'restify';
import type { Logger } from '../logger.js';
import type { InFlight } from './in-flight.js';

export async function closeServer(
  server: Server,
  inFlight: InFlight,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  inFlight.close();
  const http = server.server as HttpServer;
  const closed = new Promise<void>((resolve) => {
    if (!http.listening) resolve();
    else http.close(() => resolve());
  });
  http.closeIdleConnections();
  if (!(await inFlight.drained(timeoutMs))) {
    logger.warn({ inFlight: inFlight.size }, 'shutdown: requests still in flight after the time limit');
  }
  // Connections that just answered become idle; give the others a moment to finish writing.
  http.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
  clearTimeout(timer);
  http.closeAllConnections();
}
