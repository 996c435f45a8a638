export { startSimulator } from './server.js';
export { demoExports, DEMO_PROJECT_ID, DEMO_TOKEN, type DemoExport } from './demo.js';
export { reply, validateBehaviour, type Reply, type ReplyContext } from './scenario.js';
export type {
  AuthRequest,
  AuthVerdict,
  Authenticate,
  Behaviour,
  ExportKey,
  ProgressBehaviour,
  RecordedRequest,
  ScriptedExport,
  SequenceStep,
  Simulator,
  SimulatorOptions,
} from './types.js';
