export {
  type RecordedRequest,
  type ScriptedServer,
  type ScriptStep,
  startScriptedServer,
} from '@agentlang/test-helpers';
