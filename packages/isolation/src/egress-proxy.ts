import { lookup } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import { connect, isIP, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { hostAllowed, isPrivateAddress, normalizeHost } from './egress-hosts.js';
import { IsolationError } from './errors.js';

/** Options of {@link startEgressProxy}. */
export interface EgressProxyOptions {
  /** Host patterns the sandbox may reach (`api.anthropic.com`, `*.example.com`); everything else is refused. */
  allow: readonly string[];
  /** Host-configured pins, name → address: used instead of DNS, and the only way to reach a private or loopback address. */
  resolve?: Readonly<Record<string, string>>;
  /** Receives one line per refused request (what, and why). */
  log?: (line: string) => void;
  /** How long connecting to an upstream may take (default 10 s). */
  connectTimeoutMs?: number;
}

/** A running egress proxy; the sandbox reaches it through `socketPath` (a unix socket in a private 0700 directory). */
export interface EgressProxy {
  /** The unix socket the proxy listens on. */
  socketPath: string;
  /** The private directory holding the socket (bind this into the sandbox). */
  dir: string;
  /** The allowlist it enforces. */
  allow: readonly string[];
  /** Hosts it refused so far (`host:port`), in order. */
  refused: string[];
  /** Stops listening, cuts every open connection and removes the socket directory. Safe to call twice. */
  close(): Promise<void>;
}

/** Most client connections one proxy serves at once; more are closed at once. */
const MAX_CONNECTIONS = 256;

/** The socket's file name inside `EgressProxy.dir`. */
export const EGRESS_SOCKET_NAME = 'proxy.sock';

type Decision = { ok: true; address: string } | { ok: false; status: number; reason: string };

/**
 * Starts the host-side egress proxy: an HTTP proxy on a unix socket that tunnels `CONNECT host:port`
 * and forwards plain `GET http://host/…` requests, only to allowlisted hosts, connecting to the
 * address it resolved and checked itself (a name cannot be re-resolved to somewhere else between
 * the check and the connect). Names resolving only to loopback/private addresses are refused unless
 * the host pinned them (`resolve`). Listening is synchronous: the socket accepts connections as soon
 * as this returns, so `prepare()` can stay synchronous.
 *
 * Hand-written on node:http rather than a proxy library: the allowlist check, our own resolution
 * and the private-address refusal must sit between parsing the request and opening the upstream
 * socket, a hook the maintained proxies (`proxy`, `http-proxy`, `proxy-chain`) do not offer for both
 * CONNECT and plain requests.
 */
export function startEgressProxy(options: EgressProxyOptions): EgressProxy {
  const allow = [...options.allow];
  const pins = new Map(Object.entries(options.resolve ?? {}).map(([k, v]) => [normalizeHost(k), v]));
  const log = options.log ?? (() => {});
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const refused: string[] = [];
  const open = new Set<Duplex>();

  const decide = async (host: string, port: number): Promise<Decision> => {
    const name = normalizeHost(host);
    const target = `${name}:${port}`;
    const refuse = (status: number, reason: string): Decision => {
      refused.push(target);
      log(`egress: refused ${target}: ${reason}`);
      return { ok: false, status, reason };
    };
    if (!name || !Number.isInteger(port) || port < 1 || port > 65535) return refuse(400, 'not a host:port');
    if (!hostAllowed(name, allow)) {
      return refuse(403, `${name} is not in this sandbox's egress allowlist (${allow.join(', ') || 'empty'})`);
    }
    const pinned = pins.get(name);
    if (pinned !== undefined) return { ok: true, address: pinned };
    if (isIP(name) !== 0) {
      return isPrivateAddress(name)
        ? refuse(403, `${name} is a loopback or private address; pin it with AGENTLANG_EGRESS_RESOLVE to allow it`)
        : { ok: true, address: name };
    }
    let addresses: Array<{ address: string }>;
    try {
      addresses = await lookup(name, { all: true, verbatim: true });
    } catch (error) {
      return refuse(
        502,
        `${name} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    // IPv4 first: many hosts have no IPv6 route, and we connect to exactly one checked address.
    const publicOnes = addresses.filter((a) => !isPrivateAddress(a.address));
    const usable = publicOnes.find((a) => isIP(a.address) === 4) ?? publicOnes[0];
    if (!usable) {
      return refuse(
        403,
        `${name} resolves only to loopback or private addresses (${addresses.map((a) => a.address).join(', ')}); pin it with AGENTLANG_EGRESS_RESOLVE if that is intended`,
      );
    }
    return { ok: true, address: usable.address };
  };

  const track = <T extends Duplex>(socket: T): T => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };

  const server = createServer({ maxHeaderSize: 16 * 1024 });
  // A bound on what one sandbox can hold open on the host (each tunnel is two sockets here).
  server.maxConnections = MAX_CONNECTIONS;
  server.on('connection', (socket: Socket) => track(socket));

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    const target = parseAuthority(req.url ?? '');
    void decide(target.host, target.port).then((decision) => {
      if (client.destroyed) return;
      if (!decision.ok) {
        client.end(plainResponse(decision.status, decision.reason));
        return;
      }
      const upstream = track(connect({ host: decision.address, port: target.port, timeout: connectTimeoutMs }));
      upstream.once('timeout', () => upstream.destroy());
      upstream.once('connect', () => {
        upstream.setTimeout(0);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.once('error', (error) => {
        if (!client.destroyed)
          client.end(plainResponse(502, `cannot reach ${target.host}:${target.port}: ${error.message}`));
      });
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
    });
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('agentlang egress proxy: expected an absolute http:// URL or CONNECT\n');
      return;
    }
    if (url.protocol !== 'http:') {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end(`agentlang egress proxy: ${url.protocol} is forwarded only through CONNECT\n`);
      return;
    }
    const port = url.port === '' ? 80 : Number(url.port);
    void decide(url.hostname, port).then((decision) => {
      if (!decision.ok) {
        res
          .writeHead(decision.status, { 'content-type': 'text/plain', connection: 'close' })
          .end(`agentlang egress proxy: ${decision.reason}\n`);
        return;
      }
      const headers = { ...req.headers };
      for (const name of Object.keys(headers)) if (name.startsWith('proxy-')) delete headers[name];
      const upstream = httpRequest({
        host: decision.address,
        port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, host: url.host },
        setHost: false,
        timeout: connectTimeoutMs,
      });
      upstream.once('socket', (s) => track(s));
      upstream.once('timeout', () => upstream.destroy(new Error('timed out')));
      upstream.once('response', (answer) => {
        answer.once('data', () => upstream.setTimeout(0));
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
        answer.pipe(res);
      });
      upstream.once('error', (error) => {
        if (!res.headersSent)
          res
            .writeHead(502, { 'content-type': 'text/plain' })
            .end(`agentlang egress proxy: cannot reach ${url.host}: ${error.message}\n`);
        else res.destroy();
      });
      req.pipe(upstream);
    });
  });
  server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
    track(socket).end(plainResponse(501, 'upgrades over plain http are not forwarded; use https (CONNECT)'));
  });
  server.on('clientError', (_error, socket: Duplex) => {
    if (!socket.destroyed) socket.end(plainResponse(400, 'malformed request'));
  });

  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'agentlang-egress-'));
  } catch (error) {
    throw new IsolationError(
      'SANDBOX_PREPARE_FAILED',
      `could not create the egress proxy's socket directory: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const socketPath = join(dir, EGRESS_SOCKET_NAME);
  // Binding a unix socket is synchronous in node (errors are reported on the next tick), so
  // `listening` tells at once whether the proxy is accepting connections.
  server.on('error', (error) => log(`egress: proxy error: ${error.message}`));
  server.listen(socketPath);
  if (!server.listening) {
    rmSync(dir, { recursive: true, force: true });
    throw new IsolationError('SANDBOX_PREPARE_FAILED', `the egress proxy could not listen on ${socketPath}`, {
      details: { socketPath },
    });
  }
  server.unref();

  let closed: Promise<void> | undefined;
  return {
    socketPath,
    dir,
    allow,
    refused,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }).finally(() => rmSync(dir, { recursive: true, force: true }));
      return closed;
    },
  };
}

function parseAuthority(authority: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(authority) ?? /^([^:]+):(\d+)$/.exec(authority);
  if (!match) return { host: '', port: 0 };
  return { host: match[1] as string, port: Number(match[2]) };
}

function plainResponse(status: number, reason: string): string {
  const text = { 400: 'Bad Request', 403: 'Forbidden', 501: 'Not Implemented', 502: 'Bad Gateway' }[status] ?? 'Error';
  const body = `agentlang egress proxy: ${reason}\n`;
  return `HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}
