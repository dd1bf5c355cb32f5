import type { McpServerSpec } from '@agentlang/manifest';
import { digestJson } from './canonical.js';
import { redact, renderEnvTemplate, templateVariables } from './env-template.js';
import { ResolveError } from './errors.js';
import type { ResolvedMcpServer } from './plan.js';
import type { ProbeAgent, ProbeExecutor, ProbeProcess } from './probe-executor.js';

/** Options of {@link probeMcpServer}. */
export interface ProbeMcpOptions {
  /** Where `{{.env.X}}` values come from (only the variables the templates name are read). */
  env: NodeJS.ProcessEnv;
  /** Starts the server (inside the agent's sandbox); the resolver never spawns it itself. */
  executor: ProbeExecutor;
  /** The agent the server belongs to (its policy applies to the server). */
  agent: ProbeAgent;
  /** Budget for start + initialize + every tools/list page (default 15000 ms). */
  timeoutMs?: number;
  /** Called with the host pid of what was spawned (tests use it to check clean-up). */
  onSpawn?: (pid: number) => void;
}

/** Capabilities the resolver's MCP client announces (it only lists tools). */
export const MCP_CLIENT_CAPABILITIES: Readonly<Record<string, unknown>> = Object.freeze({});

class Timeout extends Error {}

/**
 * Refuses `{{.env.X}}` in an MCP server's `command` or `args`: a rendered secret there would sit on
 * a command line, which every local user can read in `/proc/<pid>/cmdline`. Secrets go in `env:`.
 */
export function assertNoArgvTemplates(spec: McpServerSpec): void {
  const places: Array<[string, string]> = [
    ['command', spec.command],
    ...spec.args.map((a, i): [string, string] => [`args[${i}]`, a]),
  ];
  for (const [where, text] of places) {
    const names = templateVariables(text);
    if (names.length === 0) continue;
    throw new ResolveError(
      'RESOLVE_MCP_ARGV_TEMPLATE',
      `MCP server ${spec.name} ${where} uses {{.env.${names[0]}}}: an environment value rendered into a command line is visible to every local user (/proc/<pid>/cmdline); pass it in the server's env instead (env: { ${names[0]}: "{{.env.${names[0]}}}" }) and have the server read it from its environment`,
      { details: { server: spec.name, where, variables: names } },
    );
  }
}

type JsonRpcMessage = Record<string, unknown>;

/**
 * Runs `load`, the import of the MCP SDK: an optional peer dependency, installed only by those who
 * probe MCP servers. When a module cannot be found, RESOLVE_MCP_SDK_MISSING names the server and the fix.
 */
export async function importMcpSdk<T>(server: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new ResolveError(
      'RESOLVE_MCP_SDK_MISSING',
      `MCP server ${server} must be probed, which needs @modelcontextprotocol/sdk (an optional peer dependency of @agentlang/resolver), and it cannot be loaded: ${(error as Error).message.split('\n')[0]}. ` +
        'Install it beside @agentlang/resolver (`npm install @modelcontextprotocol/sdk`), or resolve with `probeMcp: false` to pin MCP servers unprobed.',
      { cause: error, details: { server, package: '@modelcontextprotocol/sdk' } },
    );
  }
}
type SdkStdio = typeof import('@modelcontextprotocol/sdk/shared/stdio.js');

/**
 * An MCP stdio transport over a probe process the executor started (the SDK's own
 * `StdioClientTransport` spawns on the host, which the resolver must not do). Framing is the
 * SDK's (`ReadBuffer`, `serializeMessage`).
 */
class ProbeTransport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JsonRpcMessage) => void;
  protocolVersion = '';
  private closed = false;

  constructor(
    private readonly proc: ProbeProcess,
    private readonly sdk: SdkStdio,
  ) {}

  async start(): Promise<void> {
    const buffer = new this.sdk.ReadBuffer();
    this.proc.stdout?.on('data', (chunk: Buffer) => {
      buffer.append(chunk);
      for (;;) {
        let message: JsonRpcMessage | null;
        try {
          message = buffer.readMessage() as JsonRpcMessage | null;
        } catch (error) {
          this.onerror?.(error as Error);
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    this.proc.stdout?.on('error', (error) => this.onerror?.(error));
    this.proc.stdin?.on('error', (error) => this.onerror?.(error));
    void this.proc.exited.then(() => this.finish());
  }

  async send(message: JsonRpcMessage): Promise<void> {
    const stdin = this.proc.stdin;
    if (!stdin || this.closed) throw new Error('the MCP server is not running');
    const line = this.sdk.serializeMessage(message as never);
    await new Promise<void>((resolve, reject) => {
      if (stdin.write(line)) resolve();
      else stdin.once('drain', resolve).once('error', reject);
    });
  }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }

  async close(): Promise<void> {
    this.proc.stdin?.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

/**
 * Starts one MCP server through the executor (inside the agent's sandbox), speaks MCP over its
 * stdio with the official SDK client, lists every page of its tools, checks the whitelist and
 * digests each tool definition. The server is always stopped before this returns or throws. Env
 * values never appear in the result or in errors; `{{.env.X}}` in `command`/`args` is refused.
 */
export async function probeMcpServer(spec: McpServerSpec, options: ProbeMcpOptions): Promise<ResolvedMcpServer> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  assertNoArgvTemplates(spec);
  const secretValues: string[] = [];
  const plainEnv: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.env)) {
    const rendered = renderEnvTemplate(value, options.env, `MCP server ${spec.name} env ${key}`);
    if (templateVariables(value).length > 0) {
      secretValues.push(rendered);
      secretEnv[key] = rendered;
    } else plainEnv[key] = rendered;
  }

  // Literal import() calls, so a bundler (the CLI's) can still find and split out the SDK.
  const [{ Client }, sdkStdio] = await importMcpSdk(spec.name, () =>
    Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/shared/stdio.js'),
    ]),
  );
  const where = `MCP server ${spec.name} (\`${spec.command}\`)`;
  let proc: ProbeProcess;
  try {
    proc = await options.executor.start({
      kind: 'mcp-server',
      label: `MCP server ${spec.name}`,
      argv: [spec.command, ...spec.args],
      env: plainEnv,
      secrets: secretEnv,
      agent: options.agent,
      timeoutMs: timeoutMs + 5000,
      stdio: 'pipe',
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    // The executor's own refusal (no sandbox, a policy it cannot enforce) passes through unchanged.
    if (typeof e.code === 'string' && e.code !== 'ENOENT') throw error;
    const reason =
      e.code === 'ENOENT'
        ? `the command \`${spec.command}\` was not found (not on PATH and not a file)`
        : redact(e.message ?? String(error), secretValues);
    throw new ResolveError('RESOLVE_MCP_START', `${where} failed to start: ${reason}`, {
      cause: error,
      details: { server: spec.name, command: spec.command, pid: null },
    });
  }
  const pid = proc.pid ?? null;
  if (pid !== null) options.onSpawn?.(pid);
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const transport = new ProbeTransport(proc, sdkStdio);
  const client = new Client(
    { name: 'agentlang-resolver', version: '0.1.0' },
    { capabilities: { ...MCP_CLIENT_CAPABILITIES } },
  );
  const tail = () => {
    const t = redact(stderr.trim(), secretValues).split('\n').slice(-5).join('\n');
    return t ? `; its stderr ended with:\n${t}` : '';
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), timeoutMs);
  });
  try {
    const work = (async () => {
      // The SDK's own per-request timer is set past our deadline so a timeout is always reported as one.
      const requestOptions = { timeout: timeoutMs + 1000 };
      await client.connect(transport as never, requestOptions);
      const tools: Array<{ name: string; description?: string; inputSchema: unknown; outputSchema?: unknown }> = [];
      let cursor: string | undefined;
      const seenCursors = new Set<string>();
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, requestOptions);
        tools.push(...page.tools);
        cursor = page.nextCursor;
        if (cursor !== undefined) {
          if (seenCursors.has(cursor))
            throw new Error(`tools/list returned the cursor ${JSON.stringify(cursor)} twice`);
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
      protocolVersion: transport.protocolVersion,
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
    if (error instanceof Timeout) {
      throw new ResolveError(
        'RESOLVE_MCP_TIMEOUT',
        `${where} did not answer initialize/tools/list within ${timeoutMs} ms; the server was stopped${tail()}. Check the command runs on its own (inside the agent's sandbox), or raise the timeout`,
        { details: { server: spec.name, command: spec.command, timeoutMs, pid } },
      );
    }
    // Let the exit (and the last stderr bytes) arrive before quoting them.
    await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 200))]);
    const e = error as Error;
    throw new ResolveError(
      'RESOLVE_MCP_START',
      `${where} failed to start or answer: ${redact(e.message ?? String(error), secretValues)}${tail()}`,
      {
        cause: error,
        details: { server: spec.name, command: spec.command, pid },
      },
    );
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
    await proc.stop();
  }
}
