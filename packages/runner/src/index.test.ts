import { describe, expect, it } from 'vitest';
import * as runner from './index.js';

describe('@agentlang/runner public API', () => {
  it('exports exactly these names (adding one is a deliberate act)', () => {
    expect(Object.keys(runner).sort()).toEqual(
      [
        'HARNESS_EXIT_CODES',
        'HARNESS_MODEL_ERROR_EXIT',
        'RECORD_PAYLOAD_TYPE',
        'RECORD_SCHEMA',
        'RUNTIME_ADAPTERS',
        'RunnerError',
        'RunnerErrorCode',
        'SANDBOX_CONFIG_DIR',
        'checkRecordShape',
        'aiderAdapter',
        'claudeCodeAdapter',
        'codexAdapter',
        'createSandboxMcpLauncher',
        'mcpServerDeclarations',
        'createSandboxProbeExecutor',
        'cursorCliAdapter',
        'deriveTask',
        'createUlid',
        'decideOutcome',
        'describeHost',
        'formatRecordLine',
        'formatRecordTime',
        'geminiCliAdapter',
        'getAdapter',
        'gooseAdapter',
        'harnessAdapter',
        'harnessModelClient',
        'isUlid',
        'listRecords',
        'normalizeArch',
        'ollamaAdapter',
        'readRunInput',
        'opencodeAdapter',
        'describeRunSandbox',
        'policyForPlan',
        'sandboxForPlan',
        'probeRuntimeVersion',
        'readRecord',
        'readRecordEnvelope',
        'recordsDirFor',
        'runAgent',
        'runHarness',
        'runPlan',
        'scanRecords',
        'sessionsDirFor',
        'serializeRecord',
        'signRecord',
        'signingKeyFromEnv',
        'testEchoAdapter',
        'ulidTime',
        'verifyRecordEnvelope',
        'verifyStoredRecord',
        'writeRecord',
      ].sort(),
    );
  });

  it('every error code starts with RUNNER_ (the CLI maps the prefix to exit code 15)', () => {
    const error = new runner.RunnerError('RUNNER_INPUT', 'x', { details: { a: 1 }, cause: new Error('root') });
    expect(error.code).toBe('RUNNER_INPUT');
    expect(error.details).toEqual({ a: 1 });
    expect((error.cause as Error).message).toBe('root');
  });
});
