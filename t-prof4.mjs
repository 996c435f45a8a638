import { startExporter } from './dist/src/runtime/start.js';
import { benchConfig, benchTargets, silentLogger } from './dist/bench/fixtures.js';
import { curlScrape } from './dist/bench/scrape-client.js';
import http from 'node:http';
const createdAt = Math.floor(Date.now()/1000) - 3600;
const running = await startExporter({ config: benchConfig('http://127.0.0.1:9', benchTargets(10000)), logger: silentLogger, listen: { host: '127.0.0.1', port: 0 }, defaultMetrics: process.argv[2] !== "nodef",
  makeSource: () => ({ async fetchStatus(key) { const n = Number(key.exportId); const done = n%10===0; const status = done?'completed':'processing'; return { ok: true, attempts: 1, observation: { status, rawStatus: status, percentage: done?100:n%100, createdAt: createdAt + n%600 } }; }, async close() {} }) });
await running.exporter.runner.idle();
const orig = running.exporter.metricsChunks.bind(running.exporter);
let tm = [], tReq, tEnd = [], tFin = [];
running.exporter.metricsChunks = async () => { const t0 = performance.now(); const r = await orig(); tm.push(performance.now()-t0); return r; };
const origEnd = http.ServerResponse.prototype.end;
http.ServerResponse.prototype.end = function(...a) { tEnd.push(performance.now()-tReq); this.once('finish', () => tFin.push(performance.now()-tReq)); return origEnd.apply(this, a); };
const store = running.exporter.store;
const origR = store.renderChunks.bind(store); let tr = [];
store.renderChunks = (n) => { const t0 = performance.now(); const r = origR(n); tr.push(performance.now()-t0); return r; };
const pool = Object.getOwnPropertyNames(Object.getPrototypeOf(store));
let rel = 0; const origRel = running.exporter.releaseChunks.bind(running.exporter); running.exporter.releaseChunks = (c) => { rel++; return origRel(c); };
const { RenderedBlocks } = await import('./dist/src/store/rendered-blocks.js');
const tt = [], tf = [];
for (const [name, arr] of [['timed', tt], ['refresh', tf]]) { const o = RenderedBlocks.prototype[name]; RenderedBlocks.prototype[name] = function(...a) { const t0 = performance.now(); const r = o.apply(this, a); arr.push(performance.now()-t0); return r; }; }
const curl = [];
const mode = process.argv[3] ?? 'curl';
const { setTimeout: sleep } = await import('node:timers/promises');
const { execFile } = await import('node:child_process'); const { promisify } = await import('node:util'); const run = promisify(execFile);
for (let i = 0; i < 25; i++) { tReq = performance.now();
  if (mode === 'curl') curl.push((await curlScrape(running.url, 'identity')).ms);
  else if (mode === 'sleep') { await sleep(40); const c = await running.exporter.metricsChunks(); running.exporter.releaseChunks(c); curl.push(0); }
  else if (mode === 'spawn') { await run('true'); const c = await running.exporter.metricsChunks(); running.exporter.releaseChunks(c); curl.push(0); }
  else if (mode === 'curlhealth') { await run('curl', ['-s', '-o', '/dev/null', running.url + '/-/healthy']); const c = await running.exporter.metricsChunks(); running.exporter.releaseChunks(c); curl.push(0); }
}
const med = (a) => a.length ? [...a].sort((x,y)=>x-y)[Math.floor(a.length/2)].toFixed(1) : '-';
console.log('metricsChunks', med(tm), 'end() after spawn', med(tEnd), 'finish after spawn', med(tFin), 'curl', med(curl));
console.log('timed', med(tt), 'refresh', med(tf)); console.log('render', med(tr), 'released', rel); console.log(tm.map(x=>x.toFixed(1)).join(' '));
await running.stop(100);
