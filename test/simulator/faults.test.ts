import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Behaviour, type Simulator } from '../../src/simulator/index.js';
import { exportPath, get, key, SERVER } from './support.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function answer(behaviour: Behaviour) {
  sim ??= await startSimulator();
  sim.setBehaviour(key('1'), behaviour);
  return get(sim.url, exportPath(key('1')));
}

describe('fixed and malformed', () => {
  it('answers a fixed body verbatim with 200', async () => {
    const body = { export_id: '1', status: 'Queued', percentage: null, extra: [1] };
    const res = await answer({ kind: 'fixed', body });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual(body);
  });

  it('answers a malformed body with 200, claiming JSON unless told otherwise', async () => {
    const res = await answer({ kind: 'malformed', body: '{"export_id":' });
    expect([res.status, res.text, res.headers['content-type']]).toEqual([200, '{"export_id":', 'application/json;charset=UTF-8']);
    const html = await answer({ kind: 'malformed', body: '<html>', contentType: 'text/html' });
    expect(html.headers['content-type']).toBe('text/html');
  });
});

describe('error default bodies', () => {
  it('401 is the gateway IAM failure with the request id', async () => {
    const res = await answer({ kind: 'error', status: 401 });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({
      error_code: 'APIGW.0301',
      error_msg: 'Incorrect IAM authentication information: decrypt token fail',
      request_id: res.headers['x-request-id'],
    });
  });

  it('429 is the bare string the docs declare, with Retry-After when scripted', async () => {
    const res = await answer({ kind: 'error', status: 429, retryAfter: '7' });
    expect([res.status, res.text, res.headers['retry-after']]).toEqual([429, 'Too Many Requests', '7']);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect((await answer({ kind: 'error', status: 429 })).headers['retry-after']).toBeUndefined();
  });

  it('passes an HTTP-date Retry-After through untouched', async () => {
    const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
    expect((await answer({ kind: 'error', status: 503, retryAfter: date })).headers['retry-after']).toBe(date);
  });

  it('500 is iMetal.0099 JSON', async () => {
    const res = await answer({ kind: 'error', status: 500 });
    expect(res.json()).toEqual({ error_code: 'iMetal.0099', error_msg: 'Internal server error' });
  });

  it.each([502, 503, 504])('%d is an HTML gateway page', async (status) => {
    const res = await answer({ kind: 'error', status });
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.text).toContain(`<title>${status} `);
  });

  it.each([
    [400, 'iMetal.0001'],
    [403, 'iMetal.0004'],
    [404, 'iMetal.0100'],
    [418, 'iMetal.0099'],
  ])('%d gets CloudDC code %s', async (status, code) => {
    const res = await answer({ kind: 'error', status });
    expect(res.json()).toMatchObject({ error_code: code });
    if (status === 404) expect(res.text).toContain(SERVER);
  });

  it('sends a given body as JSON or text, with an optional content type', async () => {
    const gw = { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second' };
    const json = await answer({ kind: 'error', status: 429, body: gw });
    expect([json.headers['content-type'], json.json()]).toEqual(['application/json;charset=UTF-8', gw]);
    const text = await answer({ kind: 'error', status: 500, body: 'oops', contentType: 'application/json' });
    expect([text.text, text.headers['content-type']]).toEqual(['oops', 'application/json']);
  });
});

describe('sequence', () => {
  const err = (status: number): Behaviour => ({ kind: 'error', status });
  const statuses = async (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await get(sim!.url, exportPath(key('1')))).status);
    return out;
  };

  it('counts requests per export and then falls through to `then`', async () => {
    const first = await answer({
      kind: 'sequence',
      steps: [
        { times: 2, behaviour: err(500) },
        { times: 1, behaviour: err(429) },
      ],
      then: err(401),
    });
    expect(first.status).toBe(500);
    sim!.setBehaviour(key('other'), err(400));
    await get(sim!.url, exportPath(key('other'))); // another export's requests do not count
    expect(await statuses(4)).toEqual([500, 429, 401, 401]);
  });

  it('repeats the steps forever without `then`, and skips steps of zero', async () => {
    sim = await startSimulator();
    sim.setBehaviour(key('1'), {
      kind: 'sequence',
      steps: [
        { times: 2, behaviour: err(500) },
        { times: 0, behaviour: err(400) },
        { times: 1, behaviour: err(429) },
      ],
    });
    expect(await statuses(7)).toEqual([500, 500, 429, 500, 500, 429, 500]);
  });

  it('restarts the count when the behaviour is replaced', async () => {
    const seq: Behaviour = { kind: 'sequence', steps: [{ times: 1, behaviour: err(500) }], then: err(401) };
    await answer(seq);
    expect((await answer(seq)).status).toBe(500);
  });

  it('counts nested sequences from their own step', async () => {
    sim = await startSimulator();
    const inner: Behaviour = { kind: 'sequence', steps: [{ times: 1, behaviour: err(502) }], then: err(504) };
    sim.setBehaviour(key('1'), { kind: 'sequence', steps: [{ times: 1, behaviour: err(500) }], then: inner });
    expect(await statuses(3)).toEqual([500, 502, 504]);
  });

  it('rejects scripts that cannot answer', async () => {
    sim = await startSimulator();
    expect(() => sim!.setBehaviour(key('1'), { kind: 'sequence', steps: [{ times: 0, behaviour: err(500) }] })).toThrow(RangeError);
    expect(() => sim!.setBehaviour(key('1'), { kind: 'error', status: 42 })).toThrow(/status/);
    expect(() => sim!.setBehaviour(key('1'), { kind: 'progress', durationMs: 1, stallAtPercent: 101 })).toThrow(/stallAtPercent/);
    await expect(startSimulator({ exports: [{ ...key('1'), behaviour: { kind: 'slow', delayMs: -1, then: err(500) } }] })).rejects.toThrow(/delayMs/);
  });
});
