export {
  type AgentInput,
  type AgentInputContainer,
  type AgentInputLock,
  type AgentInputSource,
  type OpenAgentInputOptions,
  openAgentInput,
} from './open-agent-input.js';
