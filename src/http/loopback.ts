/**
 * What "this machine only" means for an unauthenticated bot: the interface it listens on, the `Host` header of
 * the requests it serves (against DNS rebinding: a web page whose name resolves to 127.0.0.1 still sends its
 * own name), and the `serviceUrl` it sends replies to. Loopback is 127.0.0.0/8, ::1 and the name `localhost`.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';

/** True for `localhost`, an IPv4 address in 127.0.0.0/8 and the IPv6 loopback address (bracketed or not). */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (name === 'localhost') return true;
  if (isIPv4(name)) return name.startsWith('127.');
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (!isIPv6(bare)) return false;
  try {
    // The URL parser writes an IPv6 address in its shortest form: 0:0:0:0:0:0:0:1 becomes [::1].
    return new URL(`http://[${bare}]/`).hostname === '[::1]';
  } catch {
    return false;
  }
}

/**
 * True when `url` is an http(s) URL whose host is a loopback address or `localhost`, as the client sending the
 * replies will read it (the WHATWG URL parser: the host of `http://0x7f.1/` is 127.0.0.1, that of
 * `http://127.0.0.1@evil/` is evil).
 */
export function isLoopbackUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && isLoopbackHost(parsed.hostname);
}

const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[^:[\]/\s@]+)(?::(\d{1,5}))?$/i;

/**
 * True when a `Host` header names this machine (a loopback address or `localhost`) and the port the request
 * came in on (`localPort`; no port in the header means 80). Anything else, a missing header included, is not.
 */
export function isLoopbackHostHeader(header: string | undefined, localPort: number | undefined): boolean {
  if (header === undefined || localPort === undefined) return false;
  const match = HOST_HEADER.exec(header);
  if (match === null) return false;
  const [, name, port] = match as unknown as [string, string, string | undefined];
  if (!isLoopbackHost(name)) return false;
  return port === undefined ? localPort === 80 : Number(port) === localPort;
}

/**
 * True when a request is addressed to this machine: its target is a path (an absolute URL would name its own
 * host, which the server must then go by) and its Host header names this machine and the port it came in on.
 */
export function isAddressedHere(req: IncomingMessage): boolean {
  return (req.url ?? '').startsWith('/') && isLoopbackHostHeader(req.headers.host, req.socket.localPort);
}

/** The answer (421) to a request whose Host header does not name this machine. */
export const MISDIRECTED = {
  code: 'MisdirectedRequest',
  message: 'This bot serves requests addressed to this machine only (Host header)',
} as const;
