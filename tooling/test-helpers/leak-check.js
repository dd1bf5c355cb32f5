// Vitest global setup: the suite must leave nothing behind. Every test process gets a private
// TMPDIR (so os.tmpdir() and mkdtemp land there) and a marker in its environment; when the run
// ends, anything left in that TMPDIR and any live process still carrying the marker is a leak.
// Leaks are cleaned up (so a failed run does not pollute the machine either) and then fail the run.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

// Not AGENTLANG_*: runCli strips those from the CLI's environment to keep it hermetic.
const MARK = 'LEAK_CHECK_RUN';

/** Pids of live processes (other than this one and vitest's own workers) whose environment holds `value`. */
function markedProcesses(value) {
  const needle = `${MARK}=${value}`;
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!env.includes(needle)) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      if (/vitest[/\\]dist/.test(cmd)) continue; // a pool worker still shutting down
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // exited, not yet reaped
      found.push({ pid: Number(entry), cmd: cmd || readlinkSync(`/proc/${entry}/exe`) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

export default function setup() {
  const dir = mkdtempSync(join(process.env.TMPDIR || tmpdir(), 'agentlang-suite-'));
  // Searchable (not listable) by others: run as root, the sandbox runs as an unprivileged uid that
  // must reach the workdirs makeTempDir creates in here.
  chmodSync(dir, 0o711);
  const value = basename(dir);
  process.env.TMPDIR = dir;
  process.env[MARK] = value;
  return async function teardown() {
    // Processes get a moment to finish dying after their test's cleanup sent the signal.
    let procs = markedProcesses(value);
    for (let i = 0; i < 20 && procs.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      procs = markedProcesses(value);
    }
    for (const { pid } of procs) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    const files = readdirSync(dir);
    rmSync(dir, { recursive: true, force: true });
    if (procs.length === 0 && files.length === 0) return;
    const lines = [
      ...files.map((f) => `  temp entry left behind: ${f}`),
      ...procs.map((p) => `  process left running: ${p.pid} ${p.cmd.slice(0, 160)}`),
    ];
    // Vitest reports an error thrown here but still exits 0, so the exit code is set directly.
    process.stderr.write(
      `\nLEAK: the test suite left these behind (cleaned up now; fix the test that made them):\n${lines.join('\n')}\n`,
    );
    process.exitCode = 1;
  };
}
