import { agentlangProject } from './vitest-preset.js';

export default agentlangProject('test-helpers');
