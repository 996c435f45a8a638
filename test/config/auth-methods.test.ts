import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AUTH_CONFIG, AUTH_METHOD_NAMES, authSchema, DEFAULT_CHAIN, EXACTLY_ONE_METHOD, fieldsOf } from '../../src/config/auth-methods.js';
import { AUTH_KINDS } from '../../src/domain/auth.js';

const chart = (file: string) => readFileSync(fileURLToPath(new URL(`../../helm/clouddc-exporter/${file}`, import.meta.url)), 'utf8');

describe('the config half of the authentication methods', () => {
  it('owns every key of the auth block, each key by one method', () => {
    const owned = AUTH_METHOD_NAMES.flatMap((k) => fieldsOf(k));
    expect(new Set(owned).size).toBe(owned.length);
    expect([...owned].sort()).toEqual(Object.keys(authSchema.shape).sort());
    expect(AUTH_METHOD_NAMES).toEqual(expect.arrayContaining([...AUTH_KINDS]));
    for (const kind of AUTH_METHOD_NAMES) {
      const m = AUTH_CONFIG[kind];
      expect(m.name).toBe(kind);
      expect(m.selectors.length).toBeGreaterThan(0);
      expect(fieldsOf(kind)).toEqual(expect.arrayContaining([...m.selectors, ...m.named]));
      for (const key of m.named) expect(EXACTLY_ONE_METHOD).toContain(key);
    }
  });

  it('walks a default chain of methods that can be found without keys, never the instance metadata', () => {
    for (const name of DEFAULT_CHAIN) expect(AUTH_CONFIG[name].fromDefaults, name).toBeDefined();
    expect(DEFAULT_CHAIN).not.toContain('metadata');
  });

  it('is what the Helm chart offers: the schema enum and a branch of the auth template per method', () => {
    const schema = JSON.parse(chart('values.schema.json')) as { properties: { credentials: { properties: { method: { enum: string[] } } } } };
    expect(schema.properties.credentials.properties.method.enum.filter((m) => m !== 'none').sort()).toEqual([...AUTH_KINDS].sort());
    const helpers = chart('templates/_helpers.tpl');
    const define = (name: string) => helpers.slice(helpers.indexOf(`define "clouddc-exporter.${name}"`)).split('{{- end }}\n\n')[0]!;
    // The agency ways sign in with what the platform hands the pod: nothing for the chart to keep in a Secret.
    const agency = new Set(['metadata', 'pod_identity', 'oidc']);
    for (const kind of AUTH_KINDS) {
      expect(define('auth').includes(`eq $c.method "${kind}"`), `${kind}: a branch in the auth block the chart writes`).toBe(true);
      expect(define('credentialItems').includes(`eq $c.method "${kind}"`), `${kind}: a branch in the Secret items`).toBe(!agency.has(kind));
    }
  });
});
