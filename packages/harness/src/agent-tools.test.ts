import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rejectedWith } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { HarnessError } from './errors.js';
import { buildAgentTools, httpBaseIsPrivate } from './agent-tools.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('buildAgentTools', () => {
  it('builds http tools against AGENTLANG_HTTP_BASE_URL with the bearer token; a loopback base allows private ranges', async () => {
    const auth: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      auth.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ hits: ['a'] }));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const built = await buildAgentTools(
      { http: [{ name: 'search', endpoint: '/search', method: 'GET', auth: 'bearer', params: { q: { type: 'string', required: true } } }] },
      { env: { AGENTLANG_HTTP_BASE_URL: base, AGENTLANG_HTTP_TOKEN: 'tok' } },
    );
    expect(built.tools.map((t) => t.spec.name)).toEqual(['search']);
    const out = await built.tools[0]!.execute({ q: 'x' }, { callId: 'c1', signal: new AbortController().signal });
    expect(out.ok).toBe(true);
    expect(auth).toEqual(['Bearer tok']);
    await built.close();
    await built.close();
  });

  it('refuses http tools without a base URL, bash tools without a sandbox, and duplicate names', async () => {
    const http = [{ name: 't', endpoint: '/x', method: 'GET', params: {} }];
    expect((await rejectedWith(HarnessError, buildAgentTools({ http }, { env: {} }))).message).toContain('AGENTLANG_HTTP_BASE_URL');
    expect((await rejectedWith(HarnessError, buildAgentTools({ bash: [{ name: 'b', command: 'echo' }] }, { env: {} }))).message).toContain('sandbox');
    const dup = await rejectedWith(HarnessError, buildAgentTools({ http: [...http, ...http] }, { env: { AGENTLANG_HTTP_BASE_URL: 'https://api.example.com' } }));
    expect(dup.message).toContain('unique');
    expect((await buildAgentTools({}, { env: {} })).tools).toEqual([]);
  });

  it('allows private ranges only for a loopback or private base URL', () => {
    expect(httpBaseIsPrivate('http://127.0.0.1:8080')).toBe(true);
    expect(httpBaseIsPrivate('http://localhost:8080')).toBe(true);
    expect(httpBaseIsPrivate('http://10.1.2.3/api')).toBe(true);
    expect(httpBaseIsPrivate('https://api.example.com')).toBe(false);
  });
});
