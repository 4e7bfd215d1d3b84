/** App-only sign-in with a certificate: MSAL signs a client assertion, the simulator checks it. */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../scripts/partner-center-sim/start.js';
import type { PcSubscription } from '../../src/partner-center/index.js';
import { runClient, value } from './support/run-client.js';

vi.setConfig({ testTimeout: 90_000 });

async function appCertificate(): Promise<{ cert: string; key: string; thumbprintSha256: string }> {
  const made = await generate([{ name: 'commonName', value: 'upgrade-assistant' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
  });
  const thumbprintSha256 = new X509Certificate(made.cert).fingerprint256.replace(/:/g, '').toLowerCase();
  return { cert: made.cert, key: made.private, thumbprintSha256 };
}

let sim: RunningSimulator;
let dir: string;
let registered: Awaited<ReturnType<typeof appCertificate>>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pc-cert-'));
  registered = await appCertificate();
  const file = join(dir, 'app.pem');
  writeFileSync(file, registered.cert);
  sim = await startSimulator({ clientCertificateFile: file, rateLimitPerMinute: 0 });
}, 120_000);
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const step = { op: 'listSubscriptions', customerId: '2910b58b-762c-5990-8865-a0f46c436a70' } as const;

it('signs in with the registered certificate', async () => {
  const out = await runClient(sim, [step], {
    credential: {
      certificate: { thumbprintSha256: registered.thumbprintSha256, privateKey: registered.key },
    },
  });
  expect(value<PcSubscription[]>(out.results[0]).length).toBeGreaterThan(0);
  expect((await sim.stats()).byRoute['POST token']).toMatchObject({ '200': 1 });
});

it('a certificate that is not registered is a clear error', async () => {
  const other = await appCertificate();
  const out = await runClient(sim, [step], {
    credential: { certificate: { thumbprintSha256: other.thumbprintSha256, privateKey: other.key } },
  });
  const failed = out.results[0];
  expect(failed?.ok).toBe(false);
  if (failed?.ok !== false) return;
  expect(failed.error.name).toBe('PartnerCenterAuthError');
  expect(failed.error.message).toMatch(/certificate is not registered on the app/);
  expect(failed.error.message).toContain('AADSTS700027');
});
