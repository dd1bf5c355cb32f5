export { makeTempDir, writeTree } from './temp.js';
export { runCli, cliPath, type CliResult } from './cli.js';
