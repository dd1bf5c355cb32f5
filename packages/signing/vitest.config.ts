import { agentlangProject } from '@agentlang/test-helpers/vitest-preset';

export default agentlangProject('signing');
