import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

describe('ids the API gateway cannot route', () => {
  it('are refused in HUAWEICLOUD_SDK_PROJECT_ID too, naming the account', () => {
    const r = parseConfig('accounts:\n  main: {region: cn-east-3, auth: {token: t}}\n', { env: { HUAWEICLOUD_SDK_PROJECT_ID: 'p/1' }, baseDir: '/' });
    expect(r).toEqual({
      ok: false,
      problems: [
        'accounts.main.project_id: environment variable HUAWEICLOUD_SDK_PROJECT_ID must not contain "/": the API gateway routes the decoded path, where "/" splits the id in two, so no request can reach it',
      ],
    });
  });
});
