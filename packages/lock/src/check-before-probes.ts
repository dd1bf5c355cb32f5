import type { ResolvedPlan } from '@agentlang/resolver';
import { checkLock, type LockDrift } from './check-lock.js';
import type { Lockfile } from './lock-schema.js';

/**
 * {@link checkLock} for a plan resolved WITHOUT running anything (the resolver's `beforeProbe`
 * hook: MCP servers unprobed, dependency checks not run), so drift is caught before any agent-
 * supplied process starts. What only a probe can know — an MCP server's reported name, version,
 * protocol and tool schema digests — is taken from the lock for a server whose name, command and
 * args the lock records unchanged; everything else is compared as usual. The full check still
 * runs once the probes did.
 */
export function checkLockBeforeProbes(lock: Lockfile, plan: ResolvedPlan): LockDrift[] {
  const locked = new Map(lock.resolved.mcp_servers.map((s) => [s.name, s]));
  const mcpServers = plan.mcpServers.map((s) => {
    const l = locked.get(s.name);
    if (!l || l.command !== s.command || JSON.stringify(l.args) !== JSON.stringify(s.args)) return s;
    return {
      ...s,
      server: { ...l.server },
      protocolVersion: l.protocol_version,
      clientCapabilities: { ...l.client_capabilities },
      tools: l.tools.map((t) => ({ name: t.name, schemaDigest: t.schema_digest })),
    };
  });
  return checkLock(lock, { ...plan, mcpServers });
}
