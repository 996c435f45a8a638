#!/usr/bin/env node
// Writes the values table of helm/clouddc-exporter/README.md from the comments in values.yaml.
//
//   node test/helm/values-readme.mjs          rewrite the table between the BEGIN/END markers
//   node test/helm/values-readme.mjs --check  exit 1 when the README differs from what values.yaml gives (CI)
//
// Why a script and not a package: prometheus-community documents values with helm-docs, a Go binary no npm
// package ships; @bitnami/readme-generator-for-helm (npm) needs a second `## @param key description` line for
// every key and fails on any key without one, so each new key would need its comment written twice. This
// reads the comments the file already has, helm-docs style:
//   - a key's description is the block of `#` lines directly above it (a blank line ends the block);
//   - a comment line indented further than "# " is kept on a line of its own (lists of choices, examples);
//   - a map is expanded into one row per key when any key inside it has a comment; otherwise (resources,
//     probes) it is one row whose default is the whole map.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isMap, isScalar, parseDocument } from 'yaml';

const { values: opts } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    chart: { type: 'string', default: 'helm/clouddc-exporter' },
  },
});
const BEGIN = '<!-- BEGIN values: generated from values.yaml by test/helm/values-readme.mjs; do not edit -->';
const END = '<!-- END values -->';

const valuesPath = `${opts.chart}/values.yaml`;
const readmePath = `${opts.chart}/README.md`;
const source = readFileSync(valuesPath, 'utf8');
const lines = source.split('\n');
const doc = parseDocument(source);
if (doc.errors.length > 0) {
  console.error(`${valuesPath}: ${doc.errors.map((e) => e.message).join('; ')}`);
  process.exit(1);
}
const lineStarts = [0];
for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
const lineOf = (offset) => {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
};

/** The comment block directly above line `n`, as Markdown (table-cell safe). */
function description(n) {
  const block = [];
  for (let i = n - 1; i >= 0 && /^\s*#/.test(lines[i]); i--) block.unshift(lines[i].replace(/^\s*# ?/, ''));
  let out = '';
  for (const raw of block) {
    const text = escape(raw);
    if (text.trim() === '') out += '<br><br>';
    else if (/^\s/.test(text)) out += `<br>${text.trim()}`;
    else out += out && !out.endsWith('<br>') ? ` ${text}` : text;
  }
  return cell(out.replace(/^(<br>)+/, ''));
}

// Markdown tables: no raw HTML from comments (<name> would vanish), no unescaped cell separators.
// Code spans are left alone: Markdown shows them literally.
const escape = (s) =>
  s
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
const cell = (s) => s.replace(/\|/g, '\\|').trim();
const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'object' : typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v);
const hasCommentedKey = (map) =>
  map.items.some((pair) => description(lineOf(pair.key.range[0])) !== '' || (isMap(pair.value) && hasCommentedKey(pair.value)));

const rows = [];
let undocumented = 0;
function walk(map, prefix) {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const path = prefix ? `${prefix}.${key}` : key;
    const text = description(lineOf(pair.key.range[0]));
    if (isMap(pair.value) && pair.value.items.length > 0 && hasCommentedKey(pair.value)) {
      if (text) rows.push({ path, type: 'object', def: '', text });
      walk(pair.value, path);
      continue;
    }
    const value = pair.value?.toJSON?.() ?? (isScalar(pair.value) ? pair.value.value : null);
    if (!text) undocumented++;
    rows.push({ path, type: typeOf(value), def: `\`${cell(JSON.stringify(value))}\``, text });
  }
}
walk(doc.contents, '');

const table = [
  '| Key | Type | Default | Description |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| \`${r.path}\` | ${r.type} | ${r.def} | ${r.text} |`),
].join('\n');

const readme = readFileSync(readmePath, 'utf8');
const start = readme.indexOf(BEGIN);
const end = readme.indexOf(END);
if (start < 0 || end < start) {
  console.error(`${readmePath}: the markers are missing; put these two lines where the table belongs:\n${BEGIN}\n${END}`);
  process.exit(1);
}
const next = `${readme.slice(0, start + BEGIN.length)}\n${table}\n${readme.slice(end)}`;
const summary = `${rows.length} rows, ${undocumented} key(s) without a comment`;
if (opts.check) {
  if (next !== readme) {
    console.error(`${readmePath} is out of date with ${valuesPath}: run node test/helm/values-readme.mjs and commit the result`);
    process.exit(1);
  }
  console.log(`${readmePath}: up to date (${summary})`);
} else {
  if (next !== readme) writeFileSync(readmePath, next);
  console.log(`${readmePath}: ${next === readme ? 'unchanged' : 'written'} (${summary})`);
}
