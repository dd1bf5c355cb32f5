// The egress proxy for real: HTTP servers on 127.0.0.1 play "the provider" and "a forbidden host",
// the host pins api.example.test to 127.0.0.1 (no /etc/hosts change), and probes run inside
// bubblewrap with nothing but loopback in their network namespace.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBwrapBackend } from './bwrap-backend.js';
import { hostAllowed, isPrivateAddress, parseEgressResolve } from './egress-hosts.js';
import { startEgressProxy } from './egress-proxy.js';
import { IsolationError } from './errors.js';
import { policyFromPermissions, policyFromTrust } from './mapping.js';
import { capture } from './test-support.js';

const backend = createBwrapBackend({ bwrapPath: '/usr/bin/bwrap' });

interface Site {
  server: Server;
  port: number;
  hits: string[];
}

async function site(name: string): Promise<Site> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.headers.host} ${req.url}`);
    const body = `hello from ${name}`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

let provider: Site;
let forbidden: Site;
beforeAll(async () => {
  provider = await site('the provider');
  forbidden = await site('a forbidden host');
});
afterAll(async () => {
  for (const s of [provider, forbidden]) await new Promise((resolve) => s.server.close(resolve));
});

/** Through a proxy on a unix socket: `CONNECT authority` then a GET inside the tunnel, or a plain absolute-URI GET. */
function viaProxy(
  socketPath: string,
  mode: 'connect' | 'get',
  authority: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      mode === 'connect'
        ? { socketPath, method: 'CONNECT', path: authority, headers: { host: authority } }
        : { socketPath, method: 'GET', path: `http://${authority}/v1/messages`, headers: { host: authority } },
    );
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        resolve({ status: res.statusCode ?? 0, body: '' });
        socket.destroy();
        return;
      }
      let data = '';
      socket.on('data', (c) => {
        data += c.toString();
      });
      socket.on('end', () => resolve({ status: 200, body: data.slice(data.indexOf('\r\n\r\n') + 4) }));
      socket.write(`GET /v1/tunnel HTTP/1.1\r\nhost: ${authority}\r\nconnection: close\r\n\r\n`);
    });
    req.on('response', (res) => {
      let data = '';
      res.on('data', (c) => {
        data += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('allowlist and address checks', () => {
  it('matches exact names and *.domain wildcards, case- and trailing-dot-insensitively', () => {
    expect(hostAllowed('API.Anthropic.com.', ['api.anthropic.com'])).toBe(true);
    expect(hostAllowed('evil-api.anthropic.com', ['api.anthropic.com'])).toBe(false);
    expect(hostAllowed('a.b.example.com', ['*.example.com'])).toBe(true);
    expect(hostAllowed('example.com', ['*.example.com'])).toBe(false);
    expect(hostAllowed('notexample.com', ['*.example.com'])).toBe(false);
  });

  it('classifies loopback, private, link-local and mapped addresses as private', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      'not-an-ip',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['1.1.1.1', '140.82.112.3', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(a), a).toBe(false);
  });

  it('parses host pins and refuses malformed ones', () => {
    expect(parseEgressResolve('api.example.test=127.0.0.1, Docs.Example.Test=::1')).toEqual({
      'api.example.test': '127.0.0.1',
      'docs.example.test': '::1',
    });
    expect(() => parseEgressResolve('api.example.test')).toThrow(/name=address/);
    expect(() => parseEgressResolve('*.example.test=127.0.0.1')).toThrow(IsolationError);
  });

  it('refuses allowlist entries that are URLs or carry ports', () => {
    const workdir = makeTempDir('agentlang-egress-wd-');
    expect(() =>
      policyFromTrust(
        { filesystem: 'none', network: 'scoped', exec: 'sandboxed', scope: [] },
        { workdir, allowedHosts: ['https://api.example.test'] },
      ),
    ).toThrow(/no scheme, port or path/);
  });
});

describe('the host-side proxy', () => {
  it('tunnels and forwards to an allowed (pinned) host, refuses every other host', async () => {
    const proxy = startEgressProxy({ allow: ['api.example.test'], resolve: { 'api.example.test': '127.0.0.1' } });
    try {
      const tunnel = await viaProxy(proxy.socketPath, 'connect', `api.example.test:${provider.port}`);
      expect(tunnel).toEqual({ status: 200, body: 'hello from the provider' });
      const get = await viaProxy(proxy.socketPath, 'get', `api.example.test:${provider.port}`);
      expect(get).toEqual({ status: 200, body: 'hello from the provider' });
      expect(provider.hits).toContain(`GET api.example.test:${provider.port} /v1/messages`);

      const before = forbidden.hits.length;
      expect((await viaProxy(proxy.socketPath, 'connect', `forbidden.example.test:${forbidden.port}`)).status).toBe(
        403,
      );
      expect((await viaProxy(proxy.socketPath, 'get', `forbidden.example.test:${forbidden.port}`)).status).toBe(403);
      // An IP literal of the provider's own address is not the allowed name.
      expect((await viaProxy(proxy.socketPath, 'connect', `127.0.0.1:${forbidden.port}`)).status).toBe(403);
      expect(forbidden.hits.length).toBe(before);
      expect(proxy.refused).toContain(`forbidden.example.test:${forbidden.port}`);
    } finally {
      await proxy.close();
    }
  });

  it('refuses an allowed name that resolves to loopback unless the host pinned it', async () => {
    const proxy = startEgressProxy({ allow: ['localhost', '127.0.0.1'] });
    try {
      const before = forbidden.hits.length;
      const byName = await viaProxy(proxy.socketPath, 'get', `localhost:${forbidden.port}`);
      expect(byName.status).toBe(403);
      expect(byName.body).toMatch(/loopback or private/);
      expect((await viaProxy(proxy.socketPath, 'connect', `127.0.0.1:${forbidden.port}`)).status).toBe(403);
      expect(forbidden.hits.length).toBe(before);
    } finally {
      await proxy.close();
    }
  });
});

/** Probe run by node inside the sandbox: prints one line per attempt. */
const PROBE = `
const http = require('node:http');
const net = require('node:net');
const proxy = new URL(process.env.HTTPS_PROXY || 'http://127.0.0.1:1');
const [providerPort, forbiddenPort, scopedPort] = process.argv.slice(2).map(Number);
function get(authority) {
  return new Promise((resolve) => {
    const req = http.request({ host: proxy.hostname, port: proxy.port, path: 'http://' + authority + '/v1/messages', headers: { host: authority } }, (res) => {
      let body = ''; res.on('data', (c) => (body += c)); res.on('end', () => resolve(res.statusCode + ' ' + body.trim()));
    });
    req.on('error', (e) => resolve('error ' + e.code));
    req.end();
  });
}
function tunnel(authority) {
  return new Promise((resolve) => {
    const req = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) { socket.destroy(); return resolve('refused ' + res.statusCode); }
      let data = ''; socket.on('data', (c) => (data += c)); socket.on('end', () => resolve('200 ' + data.slice(data.indexOf('\\r\\n\\r\\n') + 4)));
      socket.write('GET / HTTP/1.1\\r\\nhost: ' + authority + '\\r\\nconnection: close\\r\\n\\r\\n');
    });
    req.on('error', (e) => resolve('error ' + e.code));
    req.end();
  });
}
function direct(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve('connected'); });
    s.on('error', (e) => resolve('error ' + e.code));
  });
}
(async () => {
  console.log('proxy-env ' + (process.env.HTTPS_PROXY || 'unset'));
  console.log('provider-get ' + (await get('api.example.test:' + providerPort)));
  console.log('provider-connect ' + (await tunnel('api.example.test:' + providerPort)));
  console.log('forbidden-get ' + (await get('forbidden.example.test:' + forbiddenPort)));
  console.log('forbidden-connect ' + (await tunnel('forbidden.example.test:' + forbiddenPort)));
  console.log('direct ' + (await direct(forbiddenPort)));
  if (scopedPort) console.log('scoped-get ' + (await get('docs.example.test:' + scopedPort)));
})();
`;

function probe(policy: ReturnType<typeof policyFromTrust>, scopedPort = 0) {
  return capture(backend, policy, {
    argv: ['node', '/tmp/probe.cjs', String(provider.port), String(forbidden.port), String(scopedPort)],
    files: [{ path: '/tmp/probe.cjs', content: PROBE }],
  });
}

function lines(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]),
  );
}

describe('inside bubblewrap', () => {
  const pins = {
    'api.example.test': '127.0.0.1',
    'docs.example.test': '127.0.0.1',
    'forbidden.example.test': '127.0.0.1',
  };

  it('the runtime reaches its provider through the proxy under network: none; other hosts are refused and a direct connect fails', async () => {
    const workdir = makeTempDir('agentlang-egress-wd-');
    const policy = policyFromPermissions(
      { required: ['shell'], optional: [] },
      { workdir, runtimeHosts: ['api.example.test'], egressResolve: pins, timeoutMs: 20_000 },
    );
    expect(policy.network).toBe('none');
    const before = forbidden.hits.length;
    const r = await probe(policy);
    const out = lines(r.stdout);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(out['proxy-env']).toBe('http://127.0.0.1:3128');
    expect(out['provider-get']).toBe('200 hello from the provider');
    expect(out['provider-connect']).toBe('200 hello from the provider');
    expect(out['forbidden-get']).toMatch(
      /^403 agentlang egress proxy: forbidden\.example\.test is not in this sandbox's egress allowlist/,
    );
    expect(out['forbidden-connect']).toBe('refused 403');
    expect(out.direct).toBe('error ECONNREFUSED');
    expect(forbidden.hits.length).toBe(before);
  });

  it('control: without runtime hosts there is no proxy, and the provider is unreachable', async () => {
    const workdir = makeTempDir('agentlang-egress-wd-');
    const policy = policyFromPermissions({ required: ['shell'], optional: [] }, { workdir, timeoutMs: 20_000 });
    const r = await probe(policy);
    const out = lines(r.stdout);
    expect(out['proxy-env']).toBe('unset');
    expect(out['provider-get']).toBe('error ECONNREFUSED');
  });

  it('network: scoped lets the agent reach its allowed hosts (and the runtime its own), nothing else', async () => {
    const docs = await site('the docs');
    try {
      const workdir = makeTempDir('agentlang-egress-wd-');
      const policy = policyFromTrust(
        { filesystem: 'none', network: 'scoped', exec: 'sandboxed', scope: [] },
        {
          workdir,
          allowedHosts: ['docs.example.test'],
          runtimeHosts: ['api.example.test'],
          egressResolve: pins,
          timeoutMs: 20_000,
        },
      );
      const r = await probe(policy, docs.port);
      const out = lines(r.stdout);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(out['scoped-get']).toBe('200 hello from the docs');
      expect(out['provider-get']).toBe('200 hello from the provider');
      expect(out['forbidden-get']).toMatch(/^403 /);
      expect(out.direct).toBe('error ECONNREFUSED');
    } finally {
      await new Promise((resolve) => docs.server.close(resolve));
    }
  });

  it('curl inside follows the proxy variables and gets the proxy refusal for a forbidden host', async () => {
    const workdir = makeTempDir('agentlang-egress-wd-');
    const policy = policyFromTrust(
      { filesystem: 'none', network: 'scoped', exec: 'sandboxed', scope: [] },
      { workdir, allowedHosts: ['api.example.test'], egressResolve: pins, timeoutMs: 20_000 },
    );
    const r = await capture(backend, policy, {
      argv: [
        '/bin/sh',
        '-c',
        `curl -s http://api.example.test:${provider.port}/; echo; curl -s -o /dev/null -w '%{http_code}' http://forbidden.example.test:${forbidden.port}/; echo`,
      ],
    });
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['hello from the provider', '403']);
  });

  it("the bridge passes on the command's exit code and its death by signal", async () => {
    const workdir = makeTempDir('agentlang-egress-wd-');
    const policy = policyFromTrust(
      { filesystem: 'none', network: 'scoped', exec: 'sandboxed', scope: [] },
      { workdir, allowedHosts: ['api.example.test'], timeoutMs: 20_000 },
    );
    expect((await capture(backend, policy, { argv: ['/bin/sh', '-c', 'exit 7'] })).exitCode).toBe(7);
    // As without the bridge (bwrap reports a command killed by signal n as 128+n).
    const plain = policyFromTrust(
      { filesystem: 'none', network: 'none', exec: 'sandboxed', scope: [] },
      { workdir, timeoutMs: 20_000 },
    );
    const direct = await capture(backend, plain, { argv: ['/bin/sh', '-c', 'kill -TERM $$'] });
    const bridged = await capture(backend, policy, { argv: ['/bin/sh', '-c', 'kill -TERM $$'] });
    expect([bridged.exitCode, bridged.signal]).toEqual([direct.exitCode, direct.signal]);
    expect(bridged.exitCode).toBe(143);
  });

  it('network: scoped with exec: none is refused before anything starts (the bridge is a process)', () => {
    const workdir = makeTempDir('agentlang-egress-wd-');
    const policy = policyFromTrust(
      { filesystem: 'none', network: 'scoped', exec: 'none', scope: [] },
      { workdir, allowedHosts: ['docs.example.test'] },
    );
    expect(() => backend.prepare(policy, { argv: ['true'], env: {} })).toThrow(/exec: none forbids/);
  });
});
