// Helpers for the registry end-to-end tests: a real `agentlang registry serve` child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packContainer } from '@agentlang/container';
import { loadAgentFromFiles } from '@agentlang/manifest';
import { cliPath, demoAgent, writeTree } from '@agentlang/test-helpers';

/** A running `agentlang registry serve` child process. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** SIGTERM and wait for exit. */
  stop: () => Promise<number | null>;
}

/** Starts `agentlang registry serve --bind 127.0.0.1:0` and waits for its "listening on" line. */
export async function serve(
  cwd: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cliPath, 'registry', 'serve', '--bind', '127.0.0.1:0', ...args], {
    cwd,
    env: { ...process.env, AGENTLANG_API_KEYS: 'alice:alice-key,bob:bob-key', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry serve did not start: ${stderr}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+).*\n(?:tenants:|no API keys).*\n/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`registry serve exited ${code}: ${stderr}`));
    });
  });
  return {
    child,
    url,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** A real container (unsigned unless a key is given) around the demo manifest. */
export async function makeContainer(
  dir: string,
  agent: { name: string; version: string; contextBytes?: number; description?: string },
): Promise<{ path: string; sha256: string; bytes: Buffer }> {
  const yaml = demoAgent({ name: agent.name, version: agent.version, description: agent.description });
  const loaded = await loadAgentFromFiles({ 'agent.yaml': Buffer.from(yaml) }, { entry: 'agent.yaml' });
  let contextDir: string | undefined;
  if (agent.contextBytes) {
    contextDir = join(dir, `ctx-${randomBytes(4).toString('hex')}`);
    writeTree(contextDir, { 'data.bin': randomBytes(agent.contextBytes) });
  }
  const out = join(dir, `${agent.name}@${agent.version}.agent`);
  await packContainer({
    agent: { name: agent.name, version: agent.version, digest: loaded.digest, dialect: loaded.manifest.dialect },
    entry: 'agent.yaml',
    sources: [{ path: 'agent.yaml', bytes: Buffer.from(yaml) }],
    lock: Buffer.from('{"schema":"agentlang.lock/v1"}\n'),
    ...(contextDir ? { contextDir } : {}),
    out,
  });
  const bytes = await readFile(out);
  return { path: out, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Debian's docker-registry (distribution v2) on a free loopback port, storage in `dir`. */
export async function startDistribution(dir: string): Promise<{ host: string; child: ChildProcess }> {
  const { createServer } = await import('node:net');
  const { writeFileSync } = await import('node:fs');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const config = join(dir, 'registry.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'oci-storage')}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (up) return { host: `127.0.0.1:${port}`, child };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not start on 127.0.0.1:${port} (apt-get install docker-registry)`);
}
