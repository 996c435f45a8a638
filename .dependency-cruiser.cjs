/**
 * The layers of src/ (docs/architecture.md), checked in CI by `npm run depcruise`. Imports point
 * inward: domain at the centre; store and exposition on it; http, cli and runtime outside.
 */

/**
 * What each folder of src/ may import besides itself (as VS Code's code-layering rule does). Anything not
 * listed is an error, so a new folder, or a new edge between two, is a decision made here. The table has
 * no cycle, and the folder-scope rule below keeps it that way.
 */
const LAYERS = {
  domain: [],
  files: [],
  version: [],
  logging: ['domain'],
  simulator: ['domain'],
  'view-model': ['domain'],
  config: ['domain', 'files'],
  clouddc: ['domain'],
  'clouddc/auth': ['clouddc', 'domain', 'files'],
  store: ['domain', 'files'],
  poller: ['domain', 'store'],
  exposition: ['domain', 'store'],
  metrics: ['clouddc', 'domain'],
  fleet: ['clouddc', 'domain'],
  bundles: ['clouddc', 'config', 'domain', 'files'],
  collect: ['bundles', 'clouddc', 'domain'],
  http: ['domain', 'exposition', 'view-model'],
  web: ['config', 'domain', 'files'],
  runtime: [
    'clouddc',
    'clouddc/auth',
    'config',
    'domain',
    'bundles',
    'collect',
    'exposition',
    'files',
    'fleet',
    'http',
    'logging',
    'metrics',
    'poller',
    'simulator',
    'store',
    'version',
    'web',
  ],
  cli: ['config', 'domain', 'logging', 'metrics', 'poller', 'runtime', 'version', 'view-model'],
  'cli/export': ['bundles', 'cli', 'clouddc', 'clouddc/auth', 'config', 'domain', 'files', 'logging', 'version'],
};

/** The files of one layer: those directly in its folder (a subfolder is a layer of its own). */
const filesOf = (layer) => (layer === 'version' ? '^src/version\\.ts$' : `^src/${layer}/[^/]+$`);

const layerRules = Object.entries(LAYERS).map(([layer, may]) => ({
  from: { path: filesOf(layer) },
  to: { path: [filesOf(layer), ...may.map(filesOf)] },
}));

module.exports = {
  allowed: [
    ...layerRules,
    // main.ts wires everything; packages and Node's modules are anyone's; the harness (test, bench, soak) is free.
    { from: { path: '^src/main\\.ts$' }, to: { path: '^src/' } },
    { from: { path: '^src/' }, to: { pathNot: '^src/' } },
    { from: { pathNot: '^src/' }, to: {} },
  ],
  allowedSeverity: 'error',
  forbidden: [
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'Folders are layers: two that import each other are one layer in disguise (in Go, neither would compile).',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes two modules one module in disguise.',
      from: { path: '^src/' },
      // Type-only imports count too: a type shared both ways belongs in a module of its own.
      to: { circular: true },
    },
    {
      name: 'domain-is-the-centre',
      severity: 'error',
      comment: 'domain/ holds the shared types and the export state machine; it imports nothing of ours.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'state-before-exposition',
      severity: 'error',
      comment: 'The exposition listens to the store; the store and the state never know about rendering.',
      from: { path: '^src/(domain|store|poller)/' },
      to: { path: '^src/exposition/' },
    },
    {
      name: 'exposition-has-one-entry',
      severity: 'error',
      comment: 'Outside src/exposition/ only exposition.ts is used: every Buffer-identity rule stays inside.',
      from: { path: '^src/', pathNot: '^src/exposition/' },
      to: { path: '^src/exposition/', pathNot: '^src/exposition/exposition\\.ts$' },
    },
    {
      name: 'simulator-only-for-demo-and-tests',
      severity: 'error',
      comment: 'The CloudDC fake is wired only by the --demo mode; tests, bench and soak use it freely.',
      from: { path: '^src/', pathNot: ['^src/simulator/', '^src/runtime/demo\\.ts$'] },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'wiring-only-from-main',
      severity: 'error',
      comment: 'runtime/ and cli/ wire a running exporter; only main.ts (and each other) may import them.',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$', '^src/runtime/', '^src/cli/'] },
      to: { path: '^src/(runtime|cli)/' },
    },
    {
      name: 'cli-is-not-a-web-client',
      severity: 'error',
      comment: 'The CLI and the status page share their view of an export through view-model/, not through http/.',
      from: { path: '^src/cli/' },
      to: { path: '^src/(http|web)/' },
    },
    {
      name: 'main-is-imported-by-nothing',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'http-reads-no-internals',
      severity: 'error',
      comment: 'Routes read the exporter through ExporterView; they neither poll nor change state.',
      from: { path: '^src/http/' },
      to: { path: '^src/(store|poller|clouddc|config|runtime|cli)/' },
    },
    {
      name: 'product-code-imports-no-harness',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|soak)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
