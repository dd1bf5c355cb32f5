export { makeTempDir, writeTree } from './temp.js';
export { runCli, cliPath, type CliResult } from './cli.js';
export { describeErrorCodeDocs, errorCodeReport, type ErrorCodeReport, type ErrorCodeRow } from './error-codes.js';
