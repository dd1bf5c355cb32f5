import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { HarnessTool, ToolOutcome } from './loop.js';
import { HarnessError } from './errors.js';

/** One declared MCP server, as the run wiring hands it over (from the manifest's `mcp_servers` and the plan). */
export interface McpServerDeclaration {
  name: string;
  /** Program and arguments (templates rendered; never a secret). */
  argv: string[];
  /** Non-secret environment values the server gets (nothing else of the caller's environment). */
  env?: Record<string, string>;
  /** Values rendered from `{{.env.X}}` templates: delivered the way the launcher delivers secrets. */
  secrets?: Record<string, string>;
  /** The manifest's tool whitelist; absent = every tool the server offers. */
  tools?: string[];
  /** The plan's pinned digests (`ResolvedMcpServer.tools`): a tool whose definition changed since is refused. */
  pinned?: Array<{ name: string; schemaDigest: string }>;
}

/** How a launched MCP server process ended. */
export interface McpProcessExit {
  exitCode: number | null;
  signal: string | null;
}

/** A started MCP server (structurally the resolver's `ProbeProcess`). */
export interface McpProcess {
  readonly pid: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly exited: Promise<McpProcessExit>;
  /** Stops the process and everything it started; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts MCP server processes for the harness (which spawns nothing itself); the runner's `createSandboxMcpLauncher` runs them in bwrap. */
export interface McpLauncher {
  start(server: {
    name: string;
    argv: string[];
    env: Record<string, string>;
    secrets: Record<string, string>;
  }): Promise<McpProcess>;
}

export interface StartMcpToolsOptions {
  /** Per tools/call budget (default 120 000 ms); past it the call fails with kind `timeout`. */
  callTimeoutMs?: number;
  /** Budget for initialize + tools/list per server (default 30 000 ms). */
  startTimeoutMs?: number;
  /** Tool name for a server's tool (default `<server>__<tool>`). */
  toolName?: (server: string, tool: string) => string;
}

/** The MCP tools of a run: hand `tools` to `runLoop`, and always `close()` when the run ends. */
export interface McpTools {
  tools: HarnessTool[];
  close(): Promise<void>;
}

/** The digest the resolver pins for a tool definition (`digestJson` of name, description, schemas). */
export function mcpToolDigest(tool: {
  name: string;
  description?: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
}): string {
  return `sha256:${createHash('sha256')
    .update(
      canonical({
        name: tool.name,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
      }),
    )
    .digest('hex')}`;
}

function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

type JsonRpcMessage = Record<string, unknown>;
type SdkStdio = typeof import('@modelcontextprotocol/sdk/shared/stdio.js');

/** An MCP stdio transport over a launched process's pipes (framing is the SDK's). */
class PipeTransport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JsonRpcMessage) => void;
  private closed = false;

  constructor(
    private readonly proc: McpProcess,
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
 * Starts each declared MCP server once through `launcher`, connects the MCP SDK client over its
 * pipes, lists its tools and offers only the whitelisted ones as harness tools. A pinned digest
 * that no longer matches refuses start-up. On any failure every server started so far is stopped
 * before this rejects. The SDK is imported only when at least one server is declared.
 */
export async function startMcpTools(
  servers: readonly McpServerDeclaration[],
  launcher: McpLauncher,
  options: StartMcpToolsOptions = {},
): Promise<McpTools> {
  const started: Array<{ proc: McpProcess; close: () => Promise<void> }> = [];
  const closeAll = async () => {
    await Promise.all(
      started.splice(0).map(async (s) => {
        await s.close().catch(() => undefined);
        await s.proc.stop().catch(() => undefined);
      }),
    );
  };
  if (servers.length === 0) return { tools: [], close: async () => undefined };
  const callTimeoutMs = options.callTimeoutMs ?? 120_000;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const nameOf = options.toolName ?? ((server: string, tool: string) => `${server}__${tool}`);
  const [{ Client }, sdkStdio] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/shared/stdio.js'),
  ]);
  const tools: HarnessTool[] = [];
  try {
    for (const server of servers) {
      const proc = await launcher.start({
        name: server.name,
        argv: [...server.argv],
        env: { ...server.env },
        secrets: { ...server.secrets },
      });
      const client = new Client({ name: 'agentlang-harness', version: '0.1.0' }, { capabilities: {} });
      started.push({ proc, close: () => client.close() });
      let stderr = '';
      proc.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-2000);
      });
      let exited: string | undefined;
      void proc.exited.then((e) => {
        exited = `the MCP server ${server.name} exited (${e.signal ? `signal ${e.signal}` : `exit code ${e.exitCode}`})`;
      });
      const transport = new PipeTransport(proc, sdkStdio);
      let listed: Array<{
        name: string;
        description?: string;
        inputSchema: Record<string, unknown>;
        outputSchema?: unknown;
      }>;
      try {
        await client.connect(transport as never, { timeout: startTimeoutMs });
        listed = [];
        let cursor: string | undefined;
        do {
          const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: startTimeoutMs });
          listed.push(...(page.tools as typeof listed));
          cursor = page.nextCursor;
        } while (cursor !== undefined && listed.length < 10_000);
      } catch (error) {
        const tail = stderr.trim().split('\n').slice(-5).join('\n');
        throw new HarnessError(
          'HARNESS_MCP_START',
          `MCP server ${server.name} failed to start or answer: ${(error as Error).message}${tail ? `; its stderr ended with:\n${tail}` : ''}`,
          { details: { server: server.name }, cause: error },
        );
      }
      const whitelist = server.tools ?? server.pinned?.map((p) => p.name);
      const offered = whitelist ? listed.filter((t) => whitelist.includes(t.name)) : listed;
      const lacking = (whitelist ?? []).filter((n) => !listed.some((t) => t.name === n));
      if (lacking.length > 0)
        throw new HarnessError(
          'HARNESS_MCP_START',
          `MCP server ${server.name} does not offer ${lacking.map((n) => `"${n}"`).join(', ')} named in its tools whitelist`,
        );
      for (const t of offered) {
        const pin = server.pinned?.find((p) => p.name === t.name);
        if (server.pinned && !pin)
          throw new HarnessError(
            'HARNESS_MCP_START',
            `MCP server ${server.name} tool "${t.name}" has no pinned schema digest in the plan; re-resolve the agent`,
          );
        if (pin && pin.schemaDigest !== mcpToolDigest(t)) {
          throw new HarnessError(
            'HARNESS_MCP_START',
            `MCP server ${server.name} tool "${t.name}" changed since the plan was resolved (schema digest ${mcpToolDigest(t)}, pinned ${pin.schemaDigest}); it is refused. Re-resolve (and re-lock) the agent to accept the new definition`,
          );
        }
        const toolName = t.name;
        tools.push({
          spec: {
            name: nameOf(server.name, toolName),
            description: t.description ?? `${toolName} (MCP server ${server.name})`,
            inputSchema: t.inputSchema,
          },
          async execute(args, context): Promise<ToolOutcome> {
            if (exited) return { ok: false, kind: 'execution', message: exited };
            try {
              const result = (await client.callTool(
                { name: toolName, arguments: (args ?? {}) as Record<string, unknown> },
                undefined,
                {
                  signal: context.signal,
                  timeout: callTimeoutMs,
                },
              )) as {
                isError?: boolean;
                content?: Array<{ type: string; text?: string }>;
                structuredContent?: unknown;
              };
              const text = (result.content ?? [])
                .map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type} content omitted]`))
                .join('\n');
              const content =
                text === '' && result.structuredContent !== undefined ? JSON.stringify(result.structuredContent) : text;
              return result.isError
                ? { ok: false, kind: 'execution', message: content || `${toolName} failed` }
                : { ok: true, content };
            } catch (error) {
              const e = error as { code?: number; message?: string };
              // The SDK's RequestTimeout error code is -32001.
              if (e.code === -32001)
                return {
                  ok: false,
                  kind: 'timeout',
                  message: `MCP tool ${toolName} (server ${server.name}) did not answer within ${callTimeoutMs} ms`,
                };
              return {
                ok: false,
                kind: 'execution',
                message: exited ?? `MCP tool ${toolName} (server ${server.name}) failed: ${e.message ?? String(error)}`,
              };
            }
          },
        });
      }
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  return { tools, close: closeAll };
}
