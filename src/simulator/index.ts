export { startSimulator } from './server.js';
export {
  demoExports,
  demoGatewayAuth,
  DEMO_ACCESS_KEY,
  DEMO_PROJECT_ID,
  DEMO_ROTATED_ACCESS_KEY,
  DEMO_SECRET_KEY,
  DEMO_STALE_SECRET_KEY,
  DEMO_STUCK_SECONDS,
  DEMO_TOKEN,
  type DemoAccount,
  type DemoExport,
} from './demo.js';
export { reply, validateBehaviour, type Reply, type ReplyContext } from './scenario.js';
export { validateFault, type Fault } from './faults.js';
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
  SimulatorRateLimit,
  StartFault,
  BundleOptions,
} from './types.js';
export { serialNumber } from './log-exports.js';
export { bundleLength } from './bundle.js';
export {
  startIamSimulator,
  iamTime,
  type IamOp,
  type IamSimulator,
  type IamSimulatorOptions,
  type IamUser,
  type IdentityProvider,
  type TokenState,
} from './iam.js';
export { startAgencySimulator, NO_AGENCY, type AgencyOp, type AgencySimulator, type AgencySimulatorOptions } from './agency.js';
export { createTemporaryKeys, type KeySource, type TemporaryKey, type TemporaryKeys } from './temp-keys.js';
export type { ServiceFault, ServiceRequest } from './service-faults.js';
export { createGatewayAuth, type AkskCredential, type GatewayAuth, type GatewayAuthOptions } from './gateway-auth.js';
export type { FleetOp, ServerChange, SimAlarm, SimEvent, SimFleet, SimServer } from './fleet-types.js';
export type { FleetFault, SimulatorFleet } from './types.js';
export { scriptedFleet, type ScriptedFleetOptions } from './fleet-script.js';
