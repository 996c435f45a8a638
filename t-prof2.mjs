import client from 'prom-client';
const r = new client.Registry(); client.collectDefaultMetrics({ register: r });
const t = [];
for (let i = 0; i < 30; i++) { const t0 = performance.now(); await r.metrics(); t.push(performance.now()-t0); }
console.log('default metrics', t.sort((a,b)=>a-b)[15].toFixed(2));
for (const m of r.getMetricsAsArray()) { const t0 = performance.now(); for (let i=0;i<10;i++) await m.get(); const d=(performance.now()-t0)/10; if (d>0.2) console.log(m.name, d.toFixed(2)); }
