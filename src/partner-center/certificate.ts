/**
 * The app's certificate credential from one PEM file (the certificate, any chain after it, and the private
 * key), as MSAL wants it: read and checked at start, so that a wrong file stops the bot with a clear message
 * rather than failing the first sign-in.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface CertificateCredential {
  /** Hex SHA-256 thumbprint of the first certificate (the one registered on the app). */
  readonly thumbprintSha256: string;
  /** The private key, PKCS #8 PEM (what MSAL signs the client assertion with). */
  readonly privateKey: string;
  /** The certificates of the file, PEM, sent as `x5c` (subject name and issuer authentication). */
  readonly x5c: string;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY =
  /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/** Throws an Error whose message says what is wrong with the file (never its content). */
export function readCertificateCredential(path: string, now = new Date()): CertificateCredential {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read "${path}"${code === undefined ? '' : ` (${code})`}`, { cause: error });
  }
  const certificates = pem.match(CERTIFICATE) ?? [];
  const keyPem = PRIVATE_KEY.exec(pem)?.[0];
  if (certificates.length === 0 || keyPem === undefined) {
    throw new Error(
      `"${path}" must hold the certificate (BEGIN CERTIFICATE) and its private key (BEGIN PRIVATE KEY), PEM`,
    );
  }
  if (keyPem.includes('ENCRYPTED')) {
    throw new Error(`the private key in "${path}" is encrypted: give the key without a passphrase`);
  }
  let certificate: X509Certificate;
  let key;
  try {
    certificate = new X509Certificate(certificates[0]!);
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new Error(`"${path}" is not a valid PEM certificate and key (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new Error(`the private key in "${path}" does not belong to its certificate`);
  }
  if (new Date(certificate.validTo).getTime() <= now.getTime()) {
    throw new Error(`the certificate in "${path}" expired on ${certificate.validTo}: register a new one`);
  }
  return {
    thumbprintSha256: certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    x5c: certificates.join('\n'),
  };
}
