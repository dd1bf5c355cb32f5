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
  options: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer | ((write: (chunk: Buffer) => boolean, end: () => void) => void) },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; json: () => { error?: { code: string; message: string } } & Record<string, unknown> }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = options.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else body((chunk) => req.write(chunk), () => req.end());
  });
}

/** sha256 hex of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

