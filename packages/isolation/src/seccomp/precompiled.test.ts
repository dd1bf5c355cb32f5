import { describe, expect, it } from 'vitest';
import { encodeBpf } from './bpf.js';
import { buildSeccompFilter } from './filter.js';
import { seccompProgram } from './precompiled.js';

const regenerate = (denyNewProcesses: boolean) =>
  `regenerate src/seccomp/precompiled.ts: ${denyNewProcesses ? 'SECCOMP_NO_NEW_PROCESSES_BASE64' : 'SECCOMP_DEFAULT_BASE64'} = '${Buffer.from(encodeBpf(buildSeccompFilter({ denyNewProcesses }))).toString('base64')}'`;

describe('the precompiled seccomp programs', () => {
  it.each([false, true])(
    'are byte for byte what buildSeccompFilter assembles (denyNewProcesses: %s)',
    (denyNewProcesses) => {
      const assembled = Buffer.from(encodeBpf(buildSeccompFilter({ denyNewProcesses })));
      expect(Buffer.from(seccompProgram({ denyNewProcesses })).equals(assembled), regenerate(denyNewProcesses)).toBe(
        true,
      );
    },
  );

  it('differ between the two policies (exec: none adds the fork/vfork/clone denials)', () => {
    expect(Buffer.from(seccompProgram()).equals(Buffer.from(seccompProgram({ denyNewProcesses: true })))).toBe(false);
    expect(Buffer.from(seccompProgram()).equals(Buffer.from(seccompProgram({ denyNewProcesses: false })))).toBe(true);
  });
});
