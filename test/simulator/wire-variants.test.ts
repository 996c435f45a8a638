import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { exportPath, get, key } from './support.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('error key spelling', () => {
  it("errorKeys 'camel' renames the keys of every JSON error body, gateway and CloudDC alike, and leaves other bodies alone", async () => {
    sim = await startSimulator({
      token: 't',
      errorKeys: 'camel',
      exports: [
        { ...key('1'), behaviour: { kind: 'error', status: 500 } },
        { ...key('2'), behaviour: { kind: 'error', status: 429 } },
      ],
    });
    expect((await get(sim.url, exportPath(key('1')))).json()).toEqual({
      errorCode: 'APIGW.0301',
      errorMsg: 'Incorrect IAM authentication information: x-auth-token not found',
      requestId: expect.any(String),
    });
    expect((await get(sim.url, exportPath(key('1')), { 'x-auth-token': 't' })).json()).toEqual({ errorCode: 'iMetal.0099', errorMsg: 'Internal server error' });
    expect((await get(sim.url, exportPath(key('2')), { 'x-auth-token': 't' })).text).toBe('Too Many Requests');
    sim.setErrorKeys('snake');
    expect((await get(sim.url, exportPath(key('9')), { 'x-auth-token': 't' })).json()).toMatchObject({ error_code: 'iMetal.0100' });
  });
});

describe('strict Accept', () => {
  it('is off by default and can be switched at run time', async () => {
    sim = await startSimulator({ exports: [{ ...key('1'), behaviour: { kind: 'progress', durationMs: 1000 } }] });
    expect((await get(sim.url, exportPath(key('1')), { accept: 'text/html' })).status).toBe(200);
    sim.setStrictAccept(true);
    const refused = await get(sim.url, exportPath(key('1')), { accept: 'text/html' });
    expect(refused.status).toBe(406);
    expect(refused.json()).toMatchObject({ error_msg: 'Not Acceptable: Accept "text/html" does not admit application/json;charset=UTF-8' });
    expect((await get(sim.url, exportPath(key('1')), { accept: 'application/json' })).status).toBe(200);
    expect((await get(sim.url, exportPath(key('1')), { accept: 'text/html, */*;q=0.1' })).status).toBe(200);
    expect((await get(sim.url, exportPath(key('1')), { accept: 'application/json;q=0' })).status).toBe(406);
    expect(sim.servedCount(key('1'))).toBe(3);
  });
});
