export { createAnthropicClient, toAnthropicMessages } from './anthropic.js';
export type { AnthropicClientOptions } from './anthropic.js';
export { HarnessError, HarnessErrorCode } from './errors.js';
export { retryAfterMs } from './http-request.js';
export type { RetryOptions } from './http-request.js';
export { capToolResult, runLoop } from './loop.js';
export type {
  HarnessTool,
  LargeResult,
  LoopEvent,
  LoopStep,
  LoopLimits,
  LoopOutcome,
  LoopResult,
  ModelPrice,
  RunLoopOptions,
  ToolCallContext,
  ToolFailureKind,
  ToolOutcome,
} from './loop.js';
export { createContextManager, estimateTokens, groupTurns, renderInject } from './context.js';
export type { CompactionInfo, CompactionStrategy, ContextManager, ContextOptions } from './context.js';
export {
  ApprovalGate,
  createJsonlApprover,
  createPolicyApprover,
  createTerminalApprover,
  stableJson,
} from './approval.js';
export type {
  ApprovalDecision,
  ApprovalOptions,
  ApprovalRequest,
  Approver,
  JsonlApprover,
  ToolPermission,
} from './approval.js';
export { createOpenAIClient, toOpenAIMessages } from './openai.js';
export type { OpenAIClientOptions } from './openai.js';
export type {
  Message,
  ModelCallOptions,
  ModelClient,
  ModelRequest,
  ModelResponse,
  StopReason,
  ToolCall,
  ToolSpec,
  Usage,
} from './types.js';
export { BASH_TOOL_INPUT_SCHEMA, createBashTool } from './bash-tool.js';
export type { BashToolDeclaration, BashToolSandbox } from './bash-tool.js';
export { checkEgressUrl, egressFetch } from './egress.js';
export type { EgressPolicy, EgressRequest, EgressResponse } from './egress.js';
export { createHttpTool, endpointUrl, httpToolInputSchema, renderBodyTemplate } from './http-tool.js';
export type { HttpToolDeclaration, HttpToolHost } from './http-tool.js';
export {
  BUILTIN_INPUT_SCHEMAS,
  BUILTIN_OUTPUT_SCHEMAS,
  BUILTIN_TOOL_CAPABILITIES,
  BUILTIN_TOOL_NAMES,
  createArtifactsTool,
  createBuiltinTool,
  createSqliteTool,
  createStorageTool,
  createWebFetchTool,
  createWebSearchTool,
} from './builtin-tools.js';
export type {
  BuiltinToolHost,
  BuiltinToolName,
  SqliteColumn,
  SqliteConfig,
  WebFetchConfig,
  WebSearchConfig,
} from './builtin-tools.js';
export { summarizeSchemaErrors, withSchemas } from './schemas.js';
export type { ToolSchemas } from './schemas.js';
export { applySkills, gateByCapabilities, restrictToolCalls } from './skills.js';
export type { AppliedSkills, Skill } from './skills.js';
export { mcpToolDigest, startMcpTools } from './mcp-tools.js';
export type {
  McpLauncher,
  McpProcess,
  McpProcessExit,
  McpServerDeclaration,
  McpTools,
  StartMcpToolsOptions,
} from './mcp-tools.js';
export { buildAgentTools, httpBaseIsPrivate } from './agent-tools.js';
export { HARNESS_VERSION } from './version.js';
export type { AgentToolDeclarations, AgentToolHost, AgentTools, DeclaredTool } from './agent-tools.js';
export {
  AGENT_EVENT_TYPES,
  AGENT_EVENT_VERSION,
  createEventSink,
  jsonlEventWriter,
  streamLoop,
  toAgentEvents,
} from './events.js';
export type { AgentEvent, AgentEventBody, AgentEventEnvelope, EventSink, LoopStream } from './events.js';
export { lineDiff, readRecording, recordingClient, replayClient } from './replay.js';
export type { ModelExchange, ModelRecording, RecordingHeader } from './replay.js';
export {
  createJsonlUiActions,
  createRenderTools,
  createUiActionQueue,
  fillTemplate,
  uiActionMessage,
  uiActionParams,
  withUiComponent,
} from './ui.js';
export type {
  UiAction,
  UiActionQueue,
  UiActionSource,
  UiActionSpec,
  UiComponentDeclaration,
  UiRender,
  UiRuleDeclaration,
} from './ui.js';
export { otlpTracesEndpoint, startOtelExport } from './otel.js';
export type { OtelExport, OtelExportOptions, SpanParent } from './otel.js';
export {
  SESSION_SCHEMA,
  createFileSessionStore,
  newSession,
  pendingToolCalls,
  recordSessionSteps,
  validateSessionId,
} from './session.js';
export type { SessionCompaction, SessionLease, SessionMeta, SessionState, SessionStore } from './session.js';
export { createDelegation, DEFAULT_CREW_CONCURRENCY, DEFAULT_MAX_DELEGATION_DEPTH } from './delegation.js';
export type {
  CrewResult,
  CrewSpec,
  Delegation,
  DelegationAgent,
  DelegationEvent,
  DelegationOptions,
  DelegationResult,
  PreparedAgent,
  PrepareAgent,
  SubAgentUsage,
} from './delegation.js';
