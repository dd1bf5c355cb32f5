// A bash tool call through the sandbox (issue 12): @agentlang/harness's createBashTool on the
// isolation package's bwrap backend under a default policy (no filesystem, no network) running
// `/bin/echo floor`, against bare bwrap running the same command with a minimal mount set (bench
// 300's BARE_BWRAP). Interleaved, medians per call. Target: tool call <= bare bwrap + 15 ms.
// AGENTLANG_BENCH_ROUNDS sets rounds (default 15).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBwrapBackend, policyFromTrust } from '@agentlang/isolation';
import { median, root, row } from '../harness.js';
import { BARE_BWRAP } from './300-bwrap-floor.js';

export async function run() {
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 15);
  const harness = await import(pathToFileURL(join(root, 'packages/harness/dist/index.js')).href);
  const workdir = mkdtempSync(join(tmpdir(), 'agentlang-bench-bash-'));
  // mkdtemp makes it 0700; the sandbox user (65534 when the bench runs as root) must reach it, as it would a project folder.
  chmodSync(workdir, 0o755);
  try {
    const backend = createBwrapBackend({ bwrapPath: BARE_BWRAP[0] });
    const policy = policyFromTrust({ filesystem: 'none', network: 'none', exec: 'full', scope: [] }, { workdir });
    const tool = harness.createBashTool({ name: 'echo', command: '/bin/echo' }, { backend, policy });
    const signal = new AbortController().signal;
    const t = { bare: [], tool: [] };
    for (let i = 0; i < rounds + 3; i++) {
      let start = process.hrtime.bigint();
      const bare = spawnSync(BARE_BWRAP[0], BARE_BWRAP[1], { stdio: ['ignore', 'pipe', 'pipe'] });
      const bareMs = Number(process.hrtime.bigint() - start) / 1e6;
      if (bare.status !== 0) throw new Error(`bare bwrap exited ${bare.status}: ${bare.stderr}`);
      start = process.hrtime.bigint();
      const outcome = await tool.execute({ args: ['floor'] }, { callId: `c${i}`, signal });
      const toolMs = Number(process.hrtime.bigint() - start) / 1e6;
      if (!outcome.ok || outcome.content.trim() !== 'floor') throw new Error(`the bash tool failed: ${JSON.stringify(outcome)}`);
      if (i >= 3) {
        t.bare.push(bareMs);
        t.tool.push(toolMs);
      }
    }
    const bare = median(t.bare);
    const call = median(t.tool);
    return [
      row('harness', 'bash: bare bwrap … /bin/echo (median wall ms)', { value: bare.toFixed(1), unit: 'ms' }),
      row('harness', 'bash: createBashTool call, sandboxed /bin/echo', {
        value: call.toFixed(1),
        unit: 'ms',
        ratio: call / (bare + 15),
        target: '≤ bare bwrap + 15 ms',
        pass: call <= bare + 15,
        note: `tool call − bare bwrap = ${(call - bare).toFixed(1)} ms (allowed 15; medians of ${rounds})`,
      }),
    ];
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}
