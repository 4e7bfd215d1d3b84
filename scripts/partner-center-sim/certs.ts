/**
 * The simulator's TLS material, made at start: a throwaway certificate authority and a server certificate it
 * signs for `localhost` and 127.0.0.1. The CA certificate is written to a file so that a client process can
 * trust it the way production trusts a private CA: `NODE_EXTRA_CA_CERTS=<that file>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  /** PEM of the server certificate followed by the CA's (the chain the server presents). */
  readonly cert: string;
  readonly key: string;
  readonly caCert: string;
  /** Where the CA certificate was written. */
  readonly caCertPath: string;
}

const DAY_MS = 86_400_000;

export async function makeTlsMaterial(directory: string, now = new Date()): Promise<TlsMaterial> {
  const notBeforeDate = new Date(now.getTime() - DAY_MS);
  const notAfterDate = new Date(now.getTime() + 30 * DAY_MS);
  const ca = await generate([{ name: 'commonName', value: 'Partner Center simulator test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const caCertPath = join(directory, 'partner-center-sim-ca.pem');
  writeFileSync(caCertPath, ca.cert, { mode: 0o644 });
  return {
    cert: `${server.cert.trim()}\n${ca.cert.trim()}\n`,
    key: server.private,
    caCert: ca.cert,
    caCertPath,
  };
}
