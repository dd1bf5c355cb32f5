import { egressAllowlist } from './egress-policy.js';
import type { IsolationPolicy } from './policy.js';

/** What a sandbox will and will not allow, in plain data (for `resolve --json`). */
export interface SandboxSummary {
  network: {
    /** The agent's level. */
    mode: IsolationPolicy['network'];
    /** `host` (the host's network is shared) or `loopback` (own namespace, nothing but loopback). */
    direct: 'host' | 'loopback';
    /** Hosts reachable through the host-side egress proxy, or null when there is no proxy. */
    proxy: { runtime: string[]; agent: string[] } | null;
  };
  filesystem: { mode: IsolationPolicy['filesystem']['mode']; readWrite: string[]; readOnly: string[] };
  /** Whether processes in the sandbox may start child processes (always inside the same sandbox). */
  exec: { level: IsolationPolicy['exec']; childProcesses: boolean };
  limits: IsolationPolicy['limits'];
}

/** Summarises a policy as data: network (direct and through the proxy), filesystem grants, exec and limits. */
export function describeSandbox(policy: IsolationPolicy): SandboxSummary {
  const allow = egressAllowlist(policy);
  return {
    network: {
      mode: policy.network,
      direct: policy.network === 'allowed' ? 'host' : 'loopback',
      proxy: allow
        ? {
            runtime: [...(policy.egress?.runtimeHosts ?? [])],
            agent: policy.network === 'scoped' ? [...policy.allowedHosts] : [],
          }
        : null,
    },
    filesystem: {
      mode: policy.filesystem.mode,
      readWrite: policy.filesystem.mode === 'full' ? ['/'] : [...policy.filesystem.readWrite],
      readOnly: [...policy.filesystem.readOnly],
    },
    exec: { level: policy.exec, childProcesses: policy.exec !== 'none' },
    limits: { ...policy.limits },
  };
}

/** The summary as `Label:  text` lines (the `resolve` layout). */
export function formatSandboxLines(summary: SandboxSummary): Array<[label: string, text: string]> {
  const { network, filesystem, exec, limits } = summary;
  const lines: Array<[string, string]> = [];
  if (network.direct === 'host') {
    lines.push([
      'Network',
      "the host network, unfiltered (network: allowed): every host, including the host's own loopback services",
    ]);
  } else if (network.proxy) {
    const hosts = [
      ...network.proxy.runtime.map((h) => `${h} (runtime)`),
      ...network.proxy.agent.filter((h) => !network.proxy?.runtime.includes(h)).map((h) => `${h} (agent)`),
    ];
    lines.push([
      'Network',
      `only through the egress proxy, to ${hosts.join(', ')}; every other host refused, no direct connections, no DNS`,
    ]);
  } else {
    lines.push([
      'Network',
      `none (own network namespace, loopback only)${network.mode === 'scoped' ? '; network: scoped lists no hosts' : ''}`,
    ]);
  }
  if (filesystem.mode === 'full') {
    lines.push(['Files', 'the whole host filesystem, read-write (filesystem: full)']);
  } else {
    const parts = [`read-write ${filesystem.readWrite.join(', ') || 'nothing'}`];
    if (filesystem.readOnly.length) parts.push(`read-only ${filesystem.readOnly.join(', ')}`);
    parts.push('system directories read-only, private /tmp; nothing else of the host');
    lines.push(['Files', parts.join('; ')]);
  }
  lines.push([
    'Exec',
    exec.childProcesses ? 'child processes allowed, each confined to this sandbox' : 'no child processes (exec: none)',
  ]);
  const limitParts = [`wall clock ${Math.round(limits.timeoutMs / 1000)} s`];
  if (limits.memoryBytes !== undefined)
    limitParts.push(`memory ${Math.round(limits.memoryBytes / 1048576)} MiB per process`);
  if (limits.maxProcesses !== undefined) limitParts.push(`${limits.maxProcesses} tasks`);
  lines.push(['Limits', limitParts.join(', ')]);
  return lines;
}
