/** Where the egress pieces appear inside the sandbox (its private /run tmpfs). */
export const EGRESS_DIR = '/run/agentlang/egress';
/** The bridge program inside the sandbox. */
export const EGRESS_BRIDGE_PATH = '/run/agentlang/egress-bridge.cjs';
/** The loopback port the bridge listens on inside the sandbox's own network namespace. */
export const EGRESS_PORT = 3128;
/** The proxy URL every process in the sandbox is given (HTTP_PROXY, HTTPS_PROXY, …). */
export const EGRESS_PROXY_URL = `http://127.0.0.1:${EGRESS_PORT}`;

/**
 * The environment that points HTTP clients at the bridge. Lower- and upper-case forms (curl reads
 * only the lower-case `http_proxy`), `NO_PROXY` for the sandbox's own loopback (an MCP server
 * listening inside), and `NODE_USE_ENV_PROXY` for node ≥ 24's built-in fetch.
 */
export function egressEnvironment(): Record<string, string> {
  return {
    HTTP_PROXY: EGRESS_PROXY_URL,
    HTTPS_PROXY: EGRESS_PROXY_URL,
    http_proxy: EGRESS_PROXY_URL,
    https_proxy: EGRESS_PROXY_URL,
    ALL_PROXY: EGRESS_PROXY_URL,
    all_proxy: EGRESS_PROXY_URL,
    NO_PROXY: 'localhost,127.0.0.1,::1',
    no_proxy: 'localhost,127.0.0.1,::1',
    NODE_USE_ENV_PROXY: '1',
  };
}

/**
 * The bridge, run by node inside the sandbox as `node egress-bridge.cjs <port> <socket> <argv…>`:
 * it listens on 127.0.0.1:<port> in the sandbox's network namespace (which has nothing but
 * loopback), copies every connection to the host proxy's unix socket, and only once it listens
 * starts the command, whose exit code (or signal) it passes on. Being the command's parent is what
 * makes the start race-free: nothing in the sandbox runs before the proxy is reachable.
 */
export const EGRESS_BRIDGE_SOURCE = `'use strict';
const net = require('node:net');
const { spawn } = require('node:child_process');
const [port, socketPath, ...argv] = process.argv.slice(2);
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
});
server.on('error', (error) => {
  process.stderr.write('agentlang egress bridge: cannot listen on 127.0.0.1:' + port + ': ' + error.message + '\\n');
  process.exit(125);
});
server.listen(Number(port), '127.0.0.1', () => {
  const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit' });
  const forward = (signal) => () => child.kill(signal);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, forward(signal));
  child.on('error', (error) => {
    process.stderr.write('agentlang egress bridge: cannot start ' + argv[0] + ': ' + error.message + '\\n');
    process.exit(error.code === 'ENOENT' ? 127 : 126);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      setTimeout(() => process.exit(128), 1000).unref();
      return;
    }
    process.exit(code === null ? 1 : code);
  });
});
`;
