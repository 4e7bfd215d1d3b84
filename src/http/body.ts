/**
 * Reading a JSON request body within limits: at most `maxBytes` (a larger Content-Length is refused before
 * reading; a larger chunked body as soon as it passes the limit), all of it within `timeoutMs` (a client that
 * stalls or trickles gets 408), no content encoding (a compressed body could inflate without bound), valid
 * UTF-8 JSON nested at most `maxDepth` deep.
 */
import type { IncomingMessage } from 'node:http';

type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly status: 400 | 408 | 413 | 415;
      readonly code: string;
      readonly message: string;
      /** The rest of the body was not read: the connection must be closed after the answer. */
      readonly close: boolean;
    };

interface BodyLimits {
  readonly maxBytes: number;
  readonly maxDepth?: number;
  /** How long the whole body may take to arrive (default: no limit). */
  readonly timeoutMs?: number;
}

const tooLarge = (maxBytes: number, close: boolean): BodyResult => ({
  ok: false,
  status: 413,
  code: 'PayloadTooLarge',
  message: `The request body is larger than ${maxBytes} bytes`,
  close,
});

/** The nesting depth of parsed JSON, without recursion; stops counting past `limit`. */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyResult> {
  const { maxBytes } = limits;
  const maxDepth = limits.maxDepth ?? 64;
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    return Promise.resolve({
      ok: false,
      status: 415,
      code: 'UnsupportedMediaType',
      message: 'Content-Encoding is not supported',
      close: true,
    });
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(tooLarge(maxBytes, true));

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      resolve(result);
    };
    if (limits.timeoutMs !== undefined) {
      const seconds = Math.round(limits.timeoutMs / 100) / 10;
      timer = setTimeout(() => {
        req.pause();
        settle({
          ok: false,
          status: 408,
          code: 'RequestTimeout',
          message: `The request body did not arrive within ${seconds} s`,
          close: true,
        });
      }, limits.timeoutMs);
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        settle(tooLarge(maxBytes, true));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', () =>
      settle({ ok: false, status: 400, code: 'BadRequest', message: 'The request was aborted', close: true }),
    );
    req.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        settle({
          ok: false,
          status: 400,
          code: 'BadRequest',
          message: 'The body is not valid JSON',
          close: false,
        });
        return;
      }
      if (jsonDepth(value, maxDepth) > maxDepth) {
        settle({
          ok: false,
          status: 400,
          code: 'BadRequest',
          message: `The body is nested deeper than ${maxDepth} levels`,
          close: false,
        });
        return;
      }
      settle({ ok: true, value });
    });
  });
}
