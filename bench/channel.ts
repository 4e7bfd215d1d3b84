/**
 * A stand-in for the channel's Bot Connector service, in its own process: answers every activity a bot posts
 * (`POST {serviceUrl}/v3/conversations/…`) with 200 and an id, as fast as it can, and counts them with the
 * start of their text. Any GET (`/healthz`, `/count`) answers `{ received, texts }`, so that the runner can
 * check that every reply arrived and what it said.
 *
 * Run: PORT=0 npx tsx bench/channel.ts (prints `listening <port>` once it listens).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let received = 0;
/** The first 60 characters of each reply's text (or its type), counted; at most 100 different ones. */
const texts = new Map<string, number>();

function tally(body: string): void {
  let key = '(unreadable)';
  try {
    const activity = JSON.parse(body) as { type?: string; text?: string };
    key = (activity.text ?? `(${activity.type ?? 'no type'})`).slice(0, 60);
  } catch {
    // counted as unreadable
  }
  if (texts.has(key) || texts.size < 100) texts.set(key, (texts.get(key) ?? 0) + 1);
}

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ received, texts: Object.fromEntries(texts) }));
    return;
  }
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => {
    received++;
    tally(body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"id":"reply-${received}"}`);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
