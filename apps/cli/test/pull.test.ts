import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliKeygen, demoAgent, makeTempDir, runCli } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContainer, startDistribution } from './registry-support.js';

// push/pull through the OCI distribution API against Debian's docker-registry, checked with skopeo.

describe('agentlang push/pull oci://', () => {
  let dir: string;
  let oci: { host: string; child: ChildProcess };

  beforeAll(async () => {
    dir = makeTempDir('agentlang-cli-oci-');
    oci = await startDistribution(dir);
  });
  afterAll(() => {
    oci?.child.kill('SIGTERM');
  });

  it('pushes the seed manifest and pulls it back with the seed-shaped output', () => {
    writeFileSync(join(dir, 'demo.agent'), demoAgent());
    const push = runCli(['push', 'demo.agent', `oci://${oci.host}/agents/demo:0.1.0`], { cwd: dir });
    expect(push.stdout).toMatch(
      new RegExp(`^Pushed demo@0\\.1\\.0  oci://${oci.host}/agents/demo:0\\.1\\.0  sha256:[0-9a-f]{64}\\n$`),
    );
    const pull = runCli(['pull', `oci://${oci.host}/agents/demo:0.1.0`, '--out', 'pulled.agent'], { cwd: dir });
    expect(pull.stdout).toBe('Fetched demo@0.1.0  pulled.agent\n');
    expect(readFileSync(join(dir, 'pulled.agent'), 'utf8')).toBe(demoAgent());
  });

  it('--oci derives repo and tag from the agent, and skopeo sees the container artifact', async () => {
    const c = await makeContainer(dir, { name: 'boxed', version: '2.0.0', contextBytes: 10_000 });
    const push = runCli(['push', c.path, '--oci', '--registry', `${oci.host}/team`], { cwd: dir });
    expect(push.status).toBe(0);
    const inspected = JSON.parse(
      execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${oci.host}/team/boxed:2.0.0`], {
        encoding: 'utf8',
      }),
    ) as { Labels: Record<string, string> };
    expect(inspected.Labels['dev.agentlang.name']).toBe('boxed');
    const pull = runCli(['pull', `oci://${oci.host}/team/boxed:2.0.0`, '--out', 'boxed.agent'], { cwd: dir });
    expect(pull.stdout).toBe('Fetched boxed@2.0.0  boxed.agent\n');
    expect(readFileSync(join(dir, 'boxed.agent')).equals(c.bytes)).toBe(true);
  });

  it('push --oci takes the registry as a URL too (http://host:port/prefix), like every other --registry', async () => {
    const c = await makeContainer(dir, { name: 'urlform', version: '1.0.0' });
    for (const registry of [`http://${oci.host}/agents`, `oci://${oci.host}/agents/`, `${oci.host}/agents`]) {
      const push = runCli(['push', c.path, '--oci', '--registry', registry], { cwd: dir });
      expect(push.stderr).toBe('');
      expect(push.stdout).toMatch(
        new RegExp(`^Pushed urlform@1\\.0\\.0  oci://${oci.host}/agents/urlform:1\\.0\\.0  sha256:[0-9a-f]{64}\\n$`),
      );
    }
    const bad = runCli(['push', c.path, '--oci', '--registry', 'http://user:pw@127.0.0.1:5000/agents'], { cwd: dir });
    expect(bad.stderr).toContain(
      'expected host:port[/prefix], oci://host:port[/prefix] or http(s)://host:port[/prefix]',
    );
    const pull = runCli(['pull', `oci://${oci.host}/agents/urlform:1.0.0`, '--out', 'urlform.agent'], { cwd: dir });
    expect(pull.status).toBe(0);
    expect(readFileSync(join(dir, 'urlform.agent')).equals(c.bytes)).toBe(true);
  });

  it('publish --oci takes the registry as a URL too', () => {
    const { priv } = cliKeygen();
    const agentDir = join(dir, 'url-agent');
    mkdirSync(agentDir);
    writeFileSync(join(agentDir, 'agent.yaml'), demoAgent({ name: 'url-agent', version: '1.2.0' }));
    const publish = runCli(
      ['publish', 'url-agent', '--oci', '--registry', `http://${oci.host}/team`, '--out', 'url-agent.agent'],
      { cwd: dir, env: { CI: undefined, AGENTLANG_SIGNING_KEY: priv } },
    );
    expect(publish.stdout).toBe(
      `Built url-agent.agent (signed)\nPublished url-agent@1.2.0  oci://${oci.host}/team/url-agent:1.2.0\n`,
    );
  });

  it('publish builds the signed container straight into an OCI registry; pull verifies the signature', () => {
    const { priv, pub } = cliKeygen();
    const agentDir = join(dir, 'oci-agent');
    mkdirSync(agentDir);
    writeFileSync(join(agentDir, 'agent.yaml'), demoAgent({ name: 'oci-agent', version: '3.1.0' }));
    const env = { CI: undefined, AGENTLANG_SIGNING_KEY: priv };
    const publish = runCli(
      ['publish', 'oci-agent', `oci://${oci.host}/agents/{name}:{version}`, '--out', 'oci-agent.agent'],
      { cwd: dir, env },
    );
    expect(publish.stdout).toBe(
      `Built oci-agent.agent (signed)\nPublished oci-agent@3.1.0  oci://${oci.host}/agents/oci-agent:3.1.0\n`,
    );
    const pull = runCli(
      ['pull', `oci://${oci.host}/agents/oci-agent:3.1.0`, '--out', 'oci-pulled.agent', '--pubkey', pub],
      { cwd: dir },
    );
    expect(pull.stdout).toBe('Fetched oci-agent@3.1.0  oci-pulled.agent\n');
    expect(readFileSync(join(dir, 'oci-pulled.agent')).equals(readFileSync(join(dir, 'oci-agent.agent')))).toBe(true);
  });

  it("a missing tag is an OCI error with the registry's reason", () => {
    const r = runCli(['pull', `oci://${oci.host}/agents/demo:9.9.9`, '--out', 'x.agent'], { cwd: dir });
    expect(r.status).toBe(17);
    expect(r.stderr).toMatch(/HTTP 404 — MANIFEST_UNKNOWN/);
  });
});
