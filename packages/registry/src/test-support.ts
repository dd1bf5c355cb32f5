// Test helpers shared by this package's tests (not exported from index.ts).
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { packContainer } from '@agentlang/container';
import { loadAgentFromFiles } from '@agentlang/manifest';
import { writeTree } from '@agentlang/test-helpers';

/** A real container built by @agentlang/container (unsigned unless a seed is given). */
export async function makeContainer(
  dir: string,
  agent: { name: string; version: string; note?: string; contextBytes?: number; signingKey?: string },
): Promise<{ path: string; bytes: Buffer; sha256: string }> {
  const yaml = `apiVersion: agent/v1\nname: ${agent.name}\nversion: ${agent.version}\ndescription: "${agent.note ?? 'test agent'}"\nruntime: test-echo\n`;
  let contextDir: string | undefined;
  if (agent.contextBytes) {
    contextDir = join(dir, `ctx-${randomBytes(4).toString('hex')}`);
    writeTree(contextDir, { 'data.bin': randomBytes(agent.contextBytes) });
  }
  const out = join(dir, `${agent.name}@${agent.version}-${randomBytes(4).toString('hex')}.agent`);
  const loaded = await loadAgentFromFiles({ 'agent.yaml': Buffer.from(yaml) }, { entry: 'agent.yaml' });
  await packContainer({
    agent: { name: agent.name, version: agent.version, digest: loaded.digest, dialect: loaded.manifest.dialect },
    entry: 'agent.yaml',
    sources: [{ path: 'agent.yaml', bytes: Buffer.from(yaml) }],
    lock: Buffer.from(`{"schema":"agentlang.lock/v1","note":"${agent.note ?? ''}"}\n`),
    ...(contextDir ? { contextDir } : {}),
    ...(agent.signingKey ? { signingKeys: [agent.signingKey] } : {}),
    out,
  });
  const bytes = await readFile(out);
  return { path: out, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** One raw HTTP exchange against 127.0.0.1 with full control over path, headers and body. */
export function rawRequest(
  base: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: Buffer | ((write: (chunk: Buffer) => boolean, end: () => void) => void);
  },
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: () => { error?: { code: string; message: string } } & Record<string, unknown>;
}> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else
      body(
        (chunk) => req.write(chunk),
        () => req.end(),
      );
  });
}

/** sha256 hex of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A registry started from the built package in its own Node process (what `registry serve` runs). */
export interface SpawnedRegistry {
  url: string;
  child: import('node:child_process').ChildProcess;
  /** Server log lines seen so far. */
  lines: string[];
  /** Resolves at the first log line matching `pattern` (seen already or to come). */
  waitForLine(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Spawns `startRegistry` from dist/ in a child process with a bounded heap (`--max-old-space-size`),
 * so an attack that would take the process's memory ends in a crash the test can see, not a host OOM.
 */
export async function spawnRegistry(
  dataDir: string,
  options: { heapMib?: number; start?: Record<string, unknown> } = {},
): Promise<SpawnedRegistry> {
  const { spawn } = await import('node:child_process');
  const { pathToFileURL, fileURLToPath } = await import('node:url');
  const dist = pathToFileURL(join(fileURLToPath(new URL('..', import.meta.url)), 'dist/index.js')).href;
  const start = { bind: '127.0.0.1:0', dataDir, apiKeys: 'alice:alice-key', ...options.start };
  const script = `const { startRegistry } = await import(${JSON.stringify(dist)});
const r = await startRegistry({ ...${JSON.stringify(start)}, log: (line) => process.stderr.write(line + '\\n') });
process.stdout.write(r.url + '\\n');
process.on('SIGTERM', () => r.close().then(() => process.exit(0)));`;
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${options.heapMib ?? 256}`, '--input-type=module', '-e', script],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) =>
      reject(new Error(`the registry process exited with ${code} before listening: ${lines.join('\n')}${buffered}`)),
    );
  });
  return {
    url,
    child,
    lines,
    waitForLine(pattern) {
      const seen = lines.find((l) => pattern.test(l));
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
