import { startExporter } from './dist/src/runtime/start.js';
import { benchConfig, benchTargets, silentLogger } from './dist/bench/fixtures.js';
import { curlScrape } from './dist/bench/scrape-client.js';
const createdAt = Math.floor(Date.now()/1000) - 3600;
const running = await startExporter({ config: benchConfig('http://127.0.0.1:9', benchTargets(10000)), logger: silentLogger, listen: { host: '127.0.0.1', port: 0 }, defaultMetrics: true,
  makeSource: () => ({ async fetchStatus(key) { const n = Number(key.exportId); const done = n%10===0; const status = done?'completed':'processing'; return { ok: true, attempts: 1, observation: { status, rawStatus: status, percentage: done?100:n%100, createdAt: createdAt + n%600 } }; }, async close() {} }) });
await running.exporter.runner.idle();
const reg = [], chunks = [], curl = [];
for (let i = 0; i < 15; i++) {
  let t0 = performance.now(); await running.exporter.metricsChunks(); chunks.push(performance.now()-t0);
  t0 = performance.now(); await running.exporter.deps?.metrics; 
  curl.push((await curlScrape(running.url, 'identity')).ms);
}
const med = (a) => a.sort((x,y)=>x-y)[Math.floor(a.length/2)].toFixed(1);
console.log('metricsChunks', med(chunks), 'curl', med(curl));
const rg = running.metrics.registry;
for (let k=0;k<3;k++){ const t0=performance.now(); await rg.metrics(); console.log('registry.metrics', (performance.now()-t0).toFixed(2)); }
for (const m of rg.getMetricsAsArray()) { const t0 = performance.now(); for (let i=0;i<5;i++) await m.get(); const d=(performance.now()-t0)/5; if (d>0.2) console.log(m.name, d.toFixed(2)); }
for (let k=0;k<200;k++){ const t0=performance.now(); running.exporter.store.renderChunks(Date.now()/1000); if (k<8||k%50==0) console.log("render", (performance.now()-t0).toFixed(2)); }
await running.stop(100);
