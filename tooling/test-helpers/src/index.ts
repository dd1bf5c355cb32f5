export { makeTempDir, writeTree } from './temp.js';
export { processesWith } from './processes.js';
export { runCli, runCliAsync, cliPath, cliKeygen, cliKeygenX25519, hermeticEnv, type CliResult } from './cli.js';
export { DEMO_AGENT, demoAgent, demoAgentDir, demoAgentPath } from './demo-agent.js';
export { ed25519Hex } from './keys.js';
export { rejectedWith, thrownBy, type ErrorClass } from './errors.js';
export {
  describeErrorCodeDocs,
  errorCodeReport,
  errorModuleDeviations,
  type ErrorCodeReport,
  type ErrorCodeRow,
} from './error-codes.js';
export { startScriptedServer, type RecordedRequest, type ScriptedServer, type ScriptStep } from './scripted-server.js';
