import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rejectedWith, thrownBy } from '@agentlang/test-helpers';
import { afterEach, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '@agentlang/isolation';
import { checkEgressUrl, egressFetch } from './egress.js';
import { HarnessError } from './errors.js';
import { createHttpTool, endpointUrl, type HttpToolDeclaration, renderBodyTemplate } from './http-tool.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(
  handler: (seen: Seen, res: import('node:http').ServerResponse) => void,
): Promise<{ origin: string; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(s);
      handler(s, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, port, seen };
}

// Seed 003's twitter_post_tweet, verbatim (the template as its YAML scalar folds it).
const tweet: HttpToolDeclaration = {
  name: 'twitter_post_tweet',
  description: 'Post a tweet to Twitter/X',
  endpoint: '/api/v1/twitter/tweets',
  method: 'POST',
  auth: 'bearer',
  params: {
    text: { type: 'string', description: 'Tweet text (max 280 chars)', required: true },
    reply_to: { type: 'string', required: false },
  },
  bodyTemplate: '{ "text": "{{text}}" {{if reply_to}}, "reply_to": "{{reply_to}}"{{end}} }',
};
const signal = new AbortController().signal;

describe('renderBodyTemplate', () => {
  it('renders the seed template with and without the optional part', () => {
    expect(JSON.parse(renderBodyTemplate(tweet.bodyTemplate as string, { text: 'hi' }))).toEqual({ text: 'hi' });
    expect(JSON.parse(renderBodyTemplate(tweet.bodyTemplate as string, { text: 'hi', reply_to: '42' }))).toEqual({
      text: 'hi',
      reply_to: '42',
    });
  });

  it('never lets a parameter add fields: quotes, backslashes, newlines and braces stay inside the string', () => {
    for (const attack of [
      '", "admin": true, "x": "',
      'a\\", "admin": true, "b": "',
      '"}\n{"admin":true',
      '\u2028\u0000</script>',
      '{{reply_to}}',
    ]) {
      const out = JSON.parse(renderBodyTemplate(tweet.bodyTemplate as string, { text: attack }));
      expect(out).toEqual({ text: attack });
    }
  });

  it('puts non-string values outside quotes as JSON, and refuses a template that is not JSON', () => {
    expect(JSON.parse(renderBodyTemplate('{"n": {{n}}, "tags": {{tags}}}', { n: 3, tags: ['a', '"b"'] }))).toEqual({
      n: 3,
      tags: ['a', '"b"'],
    });
    expect(thrownBy(HarnessError, () => renderBodyTemplate('{"a": {{if x}}1', { x: 1 })).code).toBe(
      'HARNESS_TOOL_DEFINITION',
    );
    expect(thrownBy(HarnessError, () => renderBodyTemplate('{"a": }', {})).code).toBe('HARNESS_TOOL_DEFINITION');
  });
});

describe('http tools', () => {
  it('posts the rendered body to the endpoint under the host base, with the bearer token', async () => {
    const api = await serve((_s, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"t1"}'));
    const tool = createHttpTool(tweet, { baseUrl: `${api.origin}/gw`, token: 'tok-1', egress: { allowPrivate: true } });
    expect(tool.spec.inputSchema).toEqual({
      type: 'object',
      properties: { text: { type: 'string', description: 'Tweet text (max 280 chars)' }, reply_to: { type: 'string' } },
      required: ['text'],
      additionalProperties: false,
    });
    const r = await tool.execute({ text: 'x", "admin": true, "y": "' }, { callId: 'c1', signal });
    expect(r).toEqual({ ok: true, content: '{"id":"t1"}' });
    expect(api.seen[0]).toMatchObject({ method: 'POST', url: '/gw/api/v1/twitter/tweets' });
    expect(api.seen[0]?.headers.authorization).toBe('Bearer tok-1');
    expect(JSON.parse(api.seen[0]?.body ?? '')).toEqual({ text: 'x", "admin": true, "y": "' });
  });

  it('validates parameters before sending anything', async () => {
    const api = await serve((_s, res) => res.end('{}'));
    const tool = createHttpTool(tweet, { baseUrl: api.origin, token: 't', egress: { allowPrivate: true } });
    expect(await tool.execute({}, { callId: 'c', signal })).toMatchObject({
      ok: false,
      kind: 'validation',
      message: 'parameter text is required',
    });
    expect(await tool.execute({ text: 5 }, { callId: 'c', signal })).toMatchObject({ ok: false, kind: 'validation' });
    expect(await tool.execute({ text: 'a', admin: true }, { callId: 'c', signal })).toMatchObject({
      ok: false,
      kind: 'validation',
      message: expect.stringContaining('unknown parameter admin'),
    });
    const noToken = createHttpTool(tweet, { baseUrl: api.origin, egress: { allowPrivate: true } });
    expect(await noToken.execute({ text: 'a' }, { callId: 'c', signal })).toMatchObject({ ok: false, kind: 'denied' });
    expect(api.seen).toHaveLength(0);
  });

  it('refuses endpoints that leave the base origin', () => {
    for (const endpoint of [
      'http://169.254.169.254/latest/meta-data',
      '//evil.example/x',
      '\\\\evil.example\\x',
      'file:///etc/passwd',
      'javascript:alert(1)',
    ]) {
      expect(thrownBy(HarnessError, () => endpointUrl('https://api.example.com/base', endpoint)).code).toBe(
        'HARNESS_EGRESS_DENIED',
      );
    }
    expect(endpointUrl('https://api.example.com/base/', '/v1/x?y=1').href).toBe(
      'https://api.example.com/base/v1/x?y=1',
    );
  });
});

describe('egress (SSRF)', () => {
  it('classifies loopback, private, link-local and mapped addresses as private, public ones as public', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      'fd00::1',
      'fe80::1',
      '224.0.0.1',
    ]) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])
      expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });

  it('refuses loopback and metadata addresses however they are spelt, before connecting', async () => {
    const api = await serve((_s, res) => res.end('secret'));
    for (const url of [
      api.origin,
      `http://2130706433:${api.port}/`,
      `http://0x7f.1:${api.port}/`,
      `http://[::ffff:127.0.0.1]:${api.port}/`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      expect(thrownBy(HarnessError, () => checkEgressUrl(new URL(url), {})).code).toBe('HARNESS_EGRESS_DENIED');
      expect((await rejectedWith(HarnessError, egressFetch(url, {}, {}))).code).toBe('HARNESS_EGRESS_DENIED');
    }
    expect(api.seen).toHaveLength(0);
  });

  it('refuses a host name that resolves to loopback (checked at connect time, no rebinding window)', async () => {
    const api = await serve((_s, res) => res.end('secret'));
    const e = await rejectedWith(
      HarnessError,
      egressFetch(`http://localhost:${api.port}/`, {}, { allowHosts: ['localhost'] }),
    );
    expect(e.code).toBe('HARNESS_EGRESS_DENIED');
    expect(e.message).toContain('resolves to');
    expect(api.seen).toHaveLength(0);
    // The host configuration can allow private ranges (a local gateway): then it goes through.
    const ok = await egressFetch(
      `http://localhost:${api.port}/`,
      {},
      { allowHosts: ['localhost'], allowPrivate: true },
    );
    expect(ok.body).toBe('secret');
  });

  it('checks every redirect hop against the allowlist', async () => {
    const inner = await serve((_s, res) => res.end('internal'));
    const outer = await serve((_s, res) =>
      res.writeHead(302, { location: `http://localhost:${inner.port}/admin` }).end(),
    );
    const e = await rejectedWith(
      HarnessError,
      egressFetch(outer.origin, {}, { allowHosts: ['127.0.0.1'], allowPrivate: true }),
    );
    expect(e.code).toBe('HARNESS_EGRESS_DENIED');
    expect(inner.seen).toHaveLength(0);
  });

  it('refuses octal, short, hex and IPv4-mapped IPv6 spellings of loopback and metadata, and private IPv6, before connecting', async () => {
    const api = await serve((_s, res) => res.end('secret'));
    const p = api.port;
    const urls = [
      `http://0177.0.0.1:${p}/`, // octal
      `http://127.1:${p}/`, // short form
      `http://0x7f000001:${p}/`, // one hex number
      `http://[::1]:${p}/`,
      `http://[::ffff:7f00:1]:${p}/`, // IPv4-mapped, hex form
      `http://0.0.0.0:${p}/`,
      'http://0251.0376.0251.0376/latest/meta-data/', // 169.254.169.254 in octal
      'http://[::ffff:169.254.169.254]/latest/meta-data/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://100.64.0.1/',
      'http://10.0.0.1/',
    ];
    for (const url of urls) {
      expect([url, thrownBy(HarnessError, () => checkEgressUrl(new URL(url), {})).code]).toEqual([
        url,
        'HARNESS_EGRESS_DENIED',
      ]);
      expect([url, (await rejectedWith(HarnessError, egressFetch(url, {}, {}))).code]).toEqual([
        url,
        'HARNESS_EGRESS_DENIED',
      ]);
    }
    expect(api.seen).toHaveLength(0);
  });

  it('a name the host pinned (AGENTLANG_EGRESS_RESOLVE) is the only way to a private address: no other name, literal or redirect gets there', async () => {
    const inner = await serve((_s, res) => res.end('internal'));
    const pins = { 'api.example.test': '127.0.0.1' };
    // The pinned name reaches its loopback address without allowPrivate and without DNS.
    const ok = await egressFetch(`http://api.example.test:${inner.port}/`, {}, { resolve: pins });
    expect(ok.body).toBe('internal');
    expect(inner.seen).toHaveLength(1);
    // A name that resolves to loopback through DNS is still refused under the same policy.
    expect(
      (await rejectedWith(HarnessError, egressFetch(`http://localhost:${inner.port}/`, {}, { resolve: pins }))).message,
    ).toContain('resolves to');
    // Pins do not widen an allowlist.
    expect(
      (
        await rejectedWith(
          HarnessError,
          egressFetch(`http://api.example.test:${inner.port}/`, {}, { resolve: pins, allowHosts: ['example.com'] }),
        )
      ).code,
    ).toBe('HARNESS_EGRESS_DENIED');
    // The pinned host answers with a redirect to a private address, however spelt: every hop is refused.
    for (const location of [
      `http://127.0.0.1:${inner.port}/admin`,
      `http://localhost:${inner.port}/admin`,
      `http://0177.0.0.1:${inner.port}/admin`,
      `http://2130706433:${inner.port}/admin`,
      `http://[::ffff:7f00:1]:${inner.port}/admin`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      const redirector = await serve((_s, res) => res.writeHead(302, { location }).end());
      const e = await rejectedWith(
        HarnessError,
        egressFetch(`http://api.example.test:${redirector.port}/`, {}, { resolve: pins }),
      );
      expect([location, e.code]).toEqual([location, 'HARNESS_EGRESS_DENIED']);
      expect(redirector.seen).toHaveLength(1);
    }
    expect(inner.seen).toHaveLength(1);
  });

  it('caps the response size and times out a stalled server', async () => {
    const big = await serve((_s, res) => res.end('x'.repeat(2 * 1024 * 1024)));
    const r = await egressFetch(big.origin, { maxBytes: 1024 }, { allowPrivate: true });
    expect(r.truncated).toBe(true);
    expect(r.body).toHaveLength(1024);
    const stall = await serve(() => {});
    const e = await rejectedWith(HarnessError, egressFetch(stall.origin, { timeoutMs: 200 }, { allowPrivate: true }));
    expect(e.code).toBe('HARNESS_TIMEOUT');
  });
});
