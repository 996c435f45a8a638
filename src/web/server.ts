import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { readBoundedSync, signatureOf as statSignature } from '../files/bounded-read.js';
import type { TlsSettings, WebConfig } from './config.js';
import { checkTlsMaterial, opensslReason, type TlsMaterial } from './tls-material.js';

/**
 * The HTTP server the exporter listens with: plain HTTP, or HTTPS when the web config has tls_server_config.
 * The certificate, key and client CA files are re-read when they change, checked on every new connection (a
 * stat of each file, no read), so a rotated certificate is served from the next connection on without a
 * restart. A half-written pair (new certificate, old key) is refused and the previous pair kept until both fit.
 */

export interface WebServer {
  readonly server: Server;
  readonly scheme: 'http' | 'https';
}

/** `onRefused`: once per changed set of TLS files that was refused (the previous pair stays in use). */
export function createWebServer(handler: RequestListener, web: WebConfig | undefined, logger: Logger, onRefused?: () => void): WebServer {
  if (web?.tls === undefined) return { server: createHttpServer(handler), scheme: 'http' };
  return { server: createTlsServer(handler, web.tls, logger, onRefused), scheme: 'https' };
}

/** What identifies one version of a file without reading it: a swapped symlink or a rewrite changes one of these. */
function signatureOf(files: readonly string[]): string {
  return files.map((f) => statSignature(statSync(f))).join('|');
}

/**
 * Synchronous (the handshake waits for the context) but bounded: a certificate swapped for a link to /dev/zero
 * or a FIFO is refused at once, like every other file the exporter reads.
 */
function readMaterial(tls: TlsSettings): TlsMaterial {
  const read = (file: string): Buffer => {
    const r = readBoundedSync(file, 'tls');
    if (!r.ok) throw new Error(`${file}: ${r.reason}`);
    return r.data;
  };
  return {
    cert: read(tls.certFile),
    key: read(tls.keyFile),
    ...(tls.clientCaFile !== undefined && { ca: read(tls.clientCaFile) }),
  };
}

function describeCert(cert: Buffer): { fingerprint: string; notAfter: string; subject: string } {
  const x = new X509Certificate(cert);
  return { fingerprint: x.fingerprint256, notAfter: x.validTo, subject: x.subject.replace(/\n/g, ', ') };
}

export function createTlsServer(handler: RequestListener, tls: TlsSettings, logger: Logger, onRefused: () => void = () => {}): Server {
  const files = [tls.certFile, tls.keyFile, ...(tls.clientCaFile === undefined ? [] : [tls.clientCaFile])];
  const requestCert = tls.clientAuth !== 'NoClientCert';
  const contextOptions = (m: TlsMaterial) => ({
    cert: m.cert,
    key: m.key,
    ...(m.ca && { ca: m.ca }),
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
  });

  let loaded = signatureOf(files);
  const initial = readMaterial(tls);
  const server = createHttpsServer(
    {
      ...contextOptions(initial),
      requestCert,
      // Only RequireAndVerifyClientCert refuses in the handshake; the other modes are decided below.
      rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
    },
    handler,
  );
  logger.info({ ...describeCert(initial.cert), certFile: tls.certFile }, 'TLS certificate loaded');

  // The last signature that failed, so a broken pair is logged once, not on every connection.
  let refused: string | undefined;
  let statError: string | undefined;
  const refresh = (): void => {
    let signature: string;
    try {
      signature = signatureOf(files);
      statError = undefined;
    } catch (err) {
      // Mid-rotation (a file briefly missing): keep serving the previous pair.
      const reason = (err as { code?: string }).code ?? 'unknown error';
      if (statError !== reason) logger.warn({ reason }, 'cannot stat the TLS certificate files; keeping the previous certificate');
      statError = reason;
      return;
    }
    if (signature === loaded || signature === refused) return;
    try {
      const material = readMaterial(tls);
      const problems = checkTlsMaterial(material);
      if (problems.length > 0) throw new Error(problems.map((p) => `${p.path.at(-1)}: ${p.message}`).join('; '));
      server.setSecureContext(contextOptions(material));
      loaded = signature;
      refused = undefined;
      logger.info({ ...describeCert(material.cert), certFile: tls.certFile }, 'TLS certificate reloaded');
    } catch (err) {
      refused = signature;
      logger.warn({ reason: opensslReason(err) }, 'refused the changed TLS certificate files; keeping the previous certificate');
      onRefused();
    }
  };
  // Before node's own listener wraps the socket with the current secure context.
  server.prependListener('connection', refresh);

  if (tls.clientAuth === 'RequireAnyClientCert' || tls.clientAuth === 'VerifyClientCertIfGiven') {
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const cert = socket.getPeerCertificate();
      const given = cert !== null && Object.keys(cert).length > 0;
      const refuse = tls.clientAuth === 'RequireAnyClientCert' ? !given : given && !socket.authorized;
      if (refuse) {
        logger.debug({ remote: socket.remoteAddress, clientAuth: tls.clientAuth }, 'client certificate refused');
        socket.destroy();
      }
    });
  }
  server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
    logger.debug({ remote: socket.remoteAddress, reason: opensslReason(err) }, 'TLS handshake failed');
  });
  return server;
}
