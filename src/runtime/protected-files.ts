import type { ExporterConfig, SecretSource } from '../domain/config.js';
import type { WebConfig } from '../web/config.js';
import type { ProtectedFile } from '../store/storage-path.js';

/** Every file the exporter reads that a misdirected --storage.path must never replace. */
export function protectedFiles(config: ExporterConfig, configFile?: string, web?: WebConfig): ProtectedFile[] {
  const out: ProtectedFile[] = [];
  if (configFile !== undefined) out.push({ what: 'the config file', path: configFile });
  if (web !== undefined) {
    out.push({ what: 'the web config file', path: web.file });
    if (web.tls) {
      out.push({ what: 'the TLS certificate', path: web.tls.certFile }, { what: 'the TLS key', path: web.tls.keyFile });
      if (web.tls.clientCaFile !== undefined) out.push({ what: 'the client CA file', path: web.tls.clientCaFile });
    }
  }
  const secret = (what: string, s: SecretSource | undefined) => {
    if (s?.kind === 'file') out.push({ what, path: s.path });
  };
  for (const account of config.accounts.values()) {
    const a = account.auth;
    if (a.kind === 'token') secret(`the token file of account ${account.name}`, a.token);
    if (a.kind === 'aksk') secret(`the secret key file of account ${account.name}`, a.secretKey);
    if (a.kind === 'password') secret(`the password file of account ${account.name}`, a.password);
  }
  return out;
}
