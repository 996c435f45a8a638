/**
 * The layers of src/ (docs/architecture.md), checked in CI by `npm run depcruise`. Imports point
 * inward: domain at the centre; store and exposition on it; http, cli and runtime outside.
 */
module.exports = {
  forbidden: [
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
