import { spawn } from 'node:child_process';
import { findOnPath, killProcessGroup } from '@agentlang/utils';
import type { ProbeExecutor, ProbeExit, ProbeProcess, ProbeRequest } from '../probe-executor.js';

/**
 * TESTS ONLY — never exported from the package. Runs probes directly on the host, in their own
 * process group, so the resolver's MCP protocol handling (paging, whitelist, timeouts, clean-up)
 * can be tested here against real servers without @agentlang/isolation (which depends on nothing
 * of ours, but the sandbox executor lives in @agentlang/runner, which depends on this package).
 * The sandboxed executor and the attacks on it are tested in @agentlang/runner.
 */
export function createHostTestExecutor(
  options: { env?: NodeJS.ProcessEnv; calls?: ProbeRequest[] } = {},
): ProbeExecutor {
  const hostEnv = options.env ?? process.env;
  return {
    name: 'host (test)',
    async start(request: ProbeRequest): Promise<ProbeProcess> {
      options.calls?.push(request);
      const program = request.argv[0]!;
      if (!program.includes('/') && !findOnPath(program, hostEnv.PATH)) {
        throw Object.assign(new Error(`${program}: not found`), { code: 'ENOENT' });
      }
      const child = spawn(program, request.argv.slice(1), {
        cwd: request.agent.root,
        env: { PATH: hostEnv.PATH ?? '/usr/bin:/bin', ...request.env, ...request.secrets },
        stdio: request.stdio === 'pipe' ? ['pipe', 'pipe', 'pipe'] : 'ignore',
        detached: true,
      });
      const exited = new Promise<ProbeExit>((resolve) => {
        child.once('exit', (code, signal) => resolve({ exitCode: code, signal }));
        child.once('error', () => resolve({ exitCode: null, signal: null }));
      });
      let done: Promise<void> | undefined;
      const killGroup = (sig: NodeJS.Signals) => killProcessGroup(child.pid, sig);
      return {
        pid: child.pid,
        stdin: child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        exited,
        stop() {
          done ??= (async () => {
            child.stdin?.end();
            killGroup('SIGTERM');
            const term = await Promise.race([
              exited.then(() => true),
              new Promise<boolean>((r) => setTimeout(() => r(false), 1500)),
            ]);
            killGroup('SIGKILL');
            if (!term) await exited;
            // Whatever else is in the group (a wrapper's child) gets the SIGKILL above.
            await new Promise((r) => setTimeout(r, 20));
          })();
          return done;
        },
      };
    },
  };
}
