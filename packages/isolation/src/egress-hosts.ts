import { BlockList, isIP } from 'node:net';
import { IsolationError } from './errors.js';

/**
 * Addresses the egress proxy never connects to unless the host pinned the name to them:
 * loopback, private, link-local, carrier-grade NAT, benchmarking, multicast, reserved and the
 * IPv6 equivalents (unique-local, link-local, the IPv4-mapped range is checked on its IPv4 part).
 * node's own BlockList does the prefix matching.
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

/** True for loopback, private, link-local and other non-public addresses (IPv4, IPv6, IPv4-mapped IPv6). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1] as string, 'ipv4');
  return PRIVATE.check(address, 'ipv6');
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lower-cases a host name, strips one trailing dot and IPv6 brackets. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * Checks one allowlist entry: a host name (`api.anthropic.com`), a wildcard for its subdomains
 * (`*.example.com`, which does not match `example.com` itself) or an IP literal. Throws
 * `SANDBOX_INVALID_POLICY` otherwise (URLs, ports, paths, `*` alone).
 */
export function checkHostPattern(pattern: string, label = 'allowed host'): string {
  const p = typeof pattern === 'string' ? normalizeHost(pattern) : '';
  const name = p.startsWith('*.') ? p.slice(2) : p;
  const valid =
    isIP(p) !== 0 ||
    (name.length > 0 &&
      name.length <= 253 &&
      name.split('.').every((l) => LABEL.test(l)) &&
      (p === name || name.includes('.')));
  if (!valid) {
    throw new IsolationError(
      'SANDBOX_INVALID_POLICY',
      `${label} ${JSON.stringify(pattern)} is not a host name, a *.domain wildcard or an IP address; write it like api.example.com or *.example.com (no scheme, port or path)`,
      { details: { pattern } },
    );
  }
  return p;
}

/** True when `host` is allowed by one of the patterns (exact name, or a subdomain of a `*.` pattern). */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = normalizeHost(host);
  return patterns.some((raw) => {
    const p = normalizeHost(raw);
    if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
    return h === p;
  });
}

/**
 * Parses the host's name pins, `name=address[,name=address…]` (the form of
 * `AGENTLANG_EGRESS_RESOLVE`, like curl's `--resolve`): the proxy connects a pinned name to that
 * address instead of asking DNS, and only a pinned name may reach a loopback or private address.
 */
export function parseEgressResolve(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return out;
  for (const entry of text.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    const name = eq > 0 ? normalizeHost(trimmed.slice(0, eq)) : '';
    const address = eq > 0 ? normalizeHost(trimmed.slice(eq + 1)) : '';
    if (!name || name.startsWith('*.') || isIP(address) === 0) {
      throw new IsolationError(
        'SANDBOX_INVALID_POLICY',
        `AGENTLANG_EGRESS_RESOLVE entry ${JSON.stringify(trimmed)} is not name=address; expected for example api.example.test=127.0.0.1 (several separated by commas)`,
        { details: { entry: trimmed } },
      );
    }
    checkHostPattern(name, 'AGENTLANG_EGRESS_RESOLVE name');
    out[name] = address;
  }
  return out;
}
