import { ExportStore } from './dist/src/store/export-store.js';
import { benchTargets } from './dist/bench/fixtures.js';
import { exportKeyId } from './dist/src/domain/export.js';
const mode = process.argv[2];
if (mode === 'full') {
  const { startExporter } = await import('./dist/src/runtime/start.js');
  globalThis.x = startExporter;
}
const store = new ExportStore();
const targets = benchTargets(10000);
store.sync(targets);
const createdAt = Math.floor(Date.now()/1000) - 3600;
const order = targets.map((t, i) => i);
if (mode === 'shuffle') order.sort(() => Math.random() - 0.5);
for (const i of order) { const t = targets[i];
  const n = Number(t.exportId); const done = n % 10 === 0; const status = done?'completed':'processing';
  store.apply(exportKeyId(t), { ok: true, attempts: 1, observation: { status, rawStatus: status, percentage: done?100:n%100, createdAt: createdAt + n%600 } }, Date.now()/1000);
}
const ts = [];
for (let i = 0; i < 100; i++) { const t0 = performance.now(); store.renderChunks(Date.now()/1000); ts.push(performance.now()-t0); }
ts.sort((a,b)=>a-b); console.log(mode, 'median', ts[50].toFixed(2));
const { setTimeout: sleep } = await import('node:timers/promises');
for (const gap of [0, 5, 20, 40]) {
  const ts2 = [];
  for (let i = 0; i < 30; i++) { await sleep(gap); const t0 = performance.now(); const c = store.renderChunks(Date.now()/1000); ts2.push(performance.now()-t0); store.releaseChunks(c); }
  ts2.sort((a,b)=>a-b); console.log('gap', gap, 'median', ts2[15].toFixed(2));
}
