export {
  type AgentInput,
  type AgentInputContainer,
  type AgentInputLock,
  type AgentInputSource,
  type OpenAgentInputOptions,
  openAgentInput,
} from './open-agent-input.js';
export { describeAgentInput } from './describe-agent-input.js';
export { type LockAgentOptions, type LockAgentResult, lockAgent } from './lock-agent.js';
