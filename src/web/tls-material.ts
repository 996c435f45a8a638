import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { readBounded } from '../files/bounded-read.js';
import { problem, type Path, type Problem } from '../config/problems.js';

/**
 * The certificate, key and client CA files of the web config: read within their size limit, and checked to form a
 * usable pair, at load (config.ts) and again whenever the files change under a running server (server.ts).
 */

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile?: string;
}

/** OpenSSL's "error:0A00018F:SSL routines::ee key too small" without the code, which means nothing to a reader. */
export function opensslReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^error:[0-9A-Fa-f]+:[^:]*:[^:]*:/, '').trim() || 'unknown error';
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
}

/**
 * Checks that the files form a usable pair (and CA bundle). Returns problems at `base` paths; messages name
 * files and reasons, never file content.
 */
export function checkTlsMaterial(material: TlsMaterial, base: Path = ['tls_server_config']): Problem[] {
  const problems: Problem[] = [];
  try {
    new X509Certificate(material.cert);
  } catch {
    problems.push(problem([...base, 'cert_file'], 'not a PEM certificate'));
  }
  try {
    createPrivateKey(material.key);
  } catch {
    problems.push(problem([...base, 'key_file'], 'not an unencrypted PEM private key'));
  }
  if (material.ca !== undefined) {
    try {
      new X509Certificate(material.ca);
    } catch {
      problems.push(problem([...base, 'client_ca_file'], 'not a PEM certificate bundle'));
    }
  }
  if (problems.length > 0) return problems;
  try {
    createSecureContext({ cert: material.cert, key: material.key, ...(material.ca && { ca: material.ca }) });
  } catch (err) {
    const reason = opensslReason(err);
    problems.push(
      /key values mismatch/i.test(reason)
        ? problem([...base, 'key_file'], 'the key does not belong to the certificate in cert_file')
        : problem([...base, 'cert_file'], `cannot use the certificate and key: ${reason}`),
    );
  }
  return problems;
}

/** Reads TLS material (already checked for readability); throws `path: reason` when a file is refused. */
export async function readTlsMaterial(tls: TlsFiles): Promise<TlsMaterial> {
  const read = async (file: string): Promise<Buffer> => {
    const r = await readBounded(file, 'tls');
    if (!r.ok) throw new Error(`${file}: ${r.reason}`);
    return r.data;
  };
  const [cert, key, ca] = await Promise.all([read(tls.certFile), read(tls.keyFile), tls.clientCaFile === undefined ? undefined : read(tls.clientCaFile)]);
  return { cert, key, ...(ca && { ca }) };
}
