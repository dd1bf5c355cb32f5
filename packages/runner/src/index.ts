export { RunnerError, RunnerErrorCode } from './errors.js';
export { createUlid, isUlid, ulidTime } from './ulid.js';
export { describeHost, normalizeArch, type HostInfo } from './host.js';
export {
  RECORD_PAYLOAD_TYPE,
  RECORD_SCHEMA,
  checkRecordShape,
  decideOutcome,
  formatRecordLine,
  formatRecordTime,
  type ExecutionRecord,
  type RunOutcome,
} from './record.js';
export {
  listRecords,
  readRecord,
  readRecordEnvelope,
  recordsDirFor,
  scanRecords,
  serializeRecord,
  writeRecord,
  type RecordScan,
  type SkippedRecord,
} from './record-store.js';
export { signRecord, signingKeyFromEnv, verifyRecordEnvelope, verifyStoredRecord } from './record-sign.js';
export { probeRuntimeVersion } from './runtime-version.js';
export type { Invocation, InvocationFile, InvocationInput, RuntimeAdapter, RuntimeNeeds } from './adapters/types.js';
export { RUNTIME_ADAPTERS, getAdapter } from './adapters/registry.js';
export { testEchoAdapter } from './adapters/test-echo.js';
export { claudeCodeAdapter } from './adapters/claude-code.js';
export { codexAdapter } from './adapters/codex.js';
export { geminiCliAdapter } from './adapters/gemini-cli.js';
export { ollamaAdapter } from './adapters/ollama.js';
export { opencodeAdapter } from './adapters/opencode.js';
export { cursorCliAdapter } from './adapters/cursor-cli.js';
export { gooseAdapter } from './adapters/goose.js';
export { aiderAdapter } from './adapters/aider.js';
export { harnessAdapter } from './adapters/harness.js';
export {
  HARNESS_EXIT_CODES,
  HARNESS_MODEL_ERROR_EXIT,
  harnessModelClient,
  runHarness,
  sessionsDirFor,
  type HarnessApproval,
  type HarnessRunOptions,
  type HarnessRunSummary,
} from './run-harness.js';
export type { SubAgentRunSummary } from './run-crew.js';
export {
  SANDBOX_CONFIG_DIR,
  describeRunSandbox,
  policyForPlan,
  sandboxForPlan,
  type RunSandbox,
  type SandboxDescription,
  type SandboxForPlanOptions,
  runPlan,
  type OutputStream,
  type RunPlanOptions,
  type RunResult,
} from './run-plan.js';
export { runAgent, type RunAgentOptions, type RunAgentResult, type RunLock } from './run-agent.js';
export { deriveTask, readRunInput } from './run-input.js';
export { createSandboxProbeExecutor, type SandboxProbeExecutorOptions } from './sandbox-probe-executor.js';
export {
  createSandboxMcpLauncher,
  mcpServerDeclarations,
  type McpServerLaunchDeclaration,
  type SandboxMcpLaunch,
  type SandboxMcpLauncherOptions,
} from './sandbox-mcp-launcher.js';
