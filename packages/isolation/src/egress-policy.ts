import type { IsolationPolicy } from './policy.js';

/**
 * The hosts the egress proxy lets the sandbox reach — the runtime's own endpoint hosts plus, under
 * `network: scoped`, the agent's allowed hosts — or null when the sandbox needs no proxy: under
 * `network: allowed` it shares the host's network, and with an empty list it has only loopback.
 */
export function egressAllowlist(policy: IsolationPolicy): string[] | null {
  if (policy.network === 'allowed') return null;
  const hosts = [...(policy.egress?.runtimeHosts ?? []), ...(policy.network === 'scoped' ? policy.allowedHosts : [])];
  const unique = [...new Set(hosts)];
  return unique.length > 0 ? unique : null;
}
