import { readFileSync } from 'node:fs';
import type { McpServerSpec } from '@agentlang/manifest';
import { digestJson } from './canonical.js';
import { redact, renderEnvTemplate, templateVariables } from './env-template.js';
import { ResolveError } from './errors.js';
import type { ResolvedMcpServer } from './plan.js';
import { descendants } from './process-tree.js';

/** Options of {@link probeMcpServer}. */
export interface ProbeMcpOptions {
  env: NodeJS.ProcessEnv;
  /** Working directory of the server (the agent root). */
  cwd?: string;
  /** Budget for start + initialize + every tools/list page (default 15000 ms). */
  timeoutMs?: number;
  /** Called with the server's pid once it is spawned (tests use it to check clean-up). */
  onSpawn?: (pid: number) => void;
}

/** Capabilities the resolver's MCP client announces (it only lists tools). */
export const MCP_CLIENT_CAPABILITIES: Readonly<Record<string, unknown>> = Object.freeze({});

/** Environment variables passed through to every MCP server (the SDK's safe default set). */
const INHERITED = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'LANG', 'TMPDIR'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by its new parent) is gone for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const p of pids) {
    try {
      process.kill(p, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * Stops the server and everything it started (a wrapper such as `npx` runs the real server as a
 * child): SIGTERM to the whole tree, SIGKILL to what is left after a grace period, and waits
 * until every pid is gone.
 */
async function stop(pid: number | null, close: () => Promise<void>): Promise<void> {
  const tree = pid !== null && alive(pid) ? [pid, ...descendants(pid)] : [];
  const closing = close().catch(() => undefined);
  if (tree.length > 0) {
    signal(tree, 'SIGTERM');
    const deadline = Date.now() + 1500;
    for (const p of tree) await waitGone(p, Math.max(0, deadline - Date.now()));
    const left = tree.filter(alive);
    if (left.length > 0) {
      signal(left, 'SIGKILL');
      for (const p of left) await waitGone(p, 2000);
    }
  }
  await closing;
}

class Timeout extends Error {}

/**
 * Starts one MCP server over stdio with the official SDK, lists every page of its tools, checks
 * the whitelist and digests each tool definition. The server is always stopped before this
 * returns or throws. Env values and rendered args never appear in the result or in errors.
 */
export async function probeMcpServer(spec: McpServerSpec, options: ProbeMcpOptions): Promise<ResolvedMcpServer> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const secrets: string[] = [];
  const renderedEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.env)) {
    const rendered = renderEnvTemplate(value, options.env, `MCP server ${spec.name} env ${key}`);
    if (templateVariables(value).length > 0) secrets.push(rendered);
    renderedEnv[key] = rendered;
  }
  const args = spec.args.map((a, i) => {
    const rendered = renderEnvTemplate(a, options.env, `MCP server ${spec.name} args[${i}]`);
    if (rendered !== a) secrets.push(rendered);
    return rendered;
  });
  const baseEnv: Record<string, string> = {};
  for (const key of INHERITED) {
    const v = options.env[key];
    if (v !== undefined && !v.startsWith('()')) baseEnv[key] = v;
  }

  const [{ Client }, { StdioClientTransport }] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
  ]);
  const transport = new StdioClientTransport({
    command: spec.command,
    args,
    env: { ...baseEnv, ...renderedEnv },
    stderr: 'pipe',
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let protocolVersion = '';
  (transport as unknown as { setProtocolVersion: (v: string) => void }).setProtocolVersion = (v) => {
    protocolVersion = v;
  };
  const client = new Client({ name: 'agentlang-resolver', version: '0.1.0' }, { capabilities: { ...MCP_CLIENT_CAPABILITIES } });
  const where = `MCP server ${spec.name} (\`${spec.command}\`)`;
  const tail = () => {
    const t = redact(stderr.trim(), secrets).split('\n').slice(-5).join('\n');
    return t ? `; its stderr ended with:\n${t}` : '';
  };
  let pid: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), timeoutMs);
  });
  try {
    const work = (async () => {
      // The SDK's own per-request timer is set past our deadline so a timeout is always reported as one.
      const requestOptions = { timeout: timeoutMs + 1000 };
      const connecting = client.connect(transport, requestOptions);
      // The transport spawns synchronously inside connect(); record the pid at once.
      pid = transport.pid;
      if (pid !== null) options.onSpawn?.(pid);
      await connecting;
      pid = transport.pid ?? pid;
      const tools: Array<{ name: string; description?: string; inputSchema: unknown; outputSchema?: unknown; annotations?: unknown; title?: string }> = [];
      let cursor: string | undefined;
      const seenCursors = new Set<string>();
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, requestOptions);
        tools.push(...page.tools);
        cursor = page.nextCursor;
        if (cursor !== undefined) {
          if (seenCursors.has(cursor)) throw new Error(`tools/list returned the cursor ${JSON.stringify(cursor)} twice`);
          seenCursors.add(cursor);
        }
      } while (cursor !== undefined);
      return tools;
    })();
    work.catch(() => undefined);
    const tools = await Promise.race([work, deadline]);
    const offered = tools.map((t) => t.name).sort();
    if (spec.tools) {
      const lacking = spec.tools.filter((t) => !offered.includes(t));
      if (lacking.length > 0) {
        throw new ResolveError(
          'RESOLVE_MCP_WHITELIST',
          `MCP server ${spec.name} does not offer ${lacking.map((t) => `"${t}"`).join(', ')} named in its tools whitelist; it offers: ${offered.join(', ') || '(no tools)'}`,
          { details: { server: spec.name, lacking, offered } },
        );
      }
    }
    const keep = spec.tools ? tools.filter((t) => spec.tools!.includes(t.name)) : tools;
    const info = client.getServerVersion();
    return {
      name: spec.name,
      command: spec.command,
      args: [...spec.args],
      envKeys: Object.keys(spec.env).sort(),
      server: { name: info?.name ?? '', version: info?.version ?? '' },
      protocolVersion,
      clientCapabilities: { ...MCP_CLIENT_CAPABILITIES },
      tools: keep
        .map((t) => ({
          name: t.name,
          schemaDigest: digestJson({
            name: t.name,
            description: t.description,
            inputSchema: t.inputSchema,
            outputSchema: t.outputSchema,
          }),
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
  } catch (error) {
    if (error instanceof ResolveError) throw error;
    pid = transport.pid ?? pid;
    if (error instanceof Timeout) {
      throw new ResolveError(
        'RESOLVE_MCP_TIMEOUT',
        `${where} did not answer initialize/tools/list within ${timeoutMs} ms; the server was stopped${tail()}. Check the command runs on its own, or raise the timeout`,
        { details: { server: spec.name, command: spec.command, timeoutMs, pid } },
      );
    }
    const e = error as NodeJS.ErrnoException;
    const reason =
      e.code === 'ENOENT'
        ? `the command \`${spec.command}\` was not found (not on PATH and not a file)`
        : redact(e.message ?? String(error), secrets);
    throw new ResolveError('RESOLVE_MCP_START', `${where} failed to start or answer: ${reason}${tail()}`, {
      cause: error,
      details: { server: spec.name, command: spec.command, pid },
    });
  } finally {
    clearTimeout(timer);
    await stop(transport.pid ?? pid, () => client.close());
  }
}
