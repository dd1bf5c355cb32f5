import { COMMANDS } from './commands/index.js';
import { runCli } from './main.js';

// The full CLI (dist/agentlang.mjs, every verb a lazy chunk). dist/agentlang.js, the launcher,
// imports this for every verb but validate.
runCli(COMMANDS);
