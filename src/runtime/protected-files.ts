import { secretFiles } from '../domain/auth.js';
import type { ExporterConfig } from '../domain/config.js';
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
  for (const account of config.accounts.values()) {
    // Named by the key that names it: "the token file", "the secret key file", "the password file".
    for (const s of secretFiles(account.auth)) out.push({ what: `the ${s.key.replaceAll('_', ' ')} of account ${account.name}`, path: s.path });
  }
  return out;
}
