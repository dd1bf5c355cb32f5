import type { ResolvedPlan } from './plan.js';

const line = (label: string, value: string) => `  ${`${label}:`.padEnd(10)}${value}`;

/**
 * The plan as seed 000 prints it (`Runtime:`, `Model:`, `Auth:`, `Tools:`), then MCP servers,
 * the host variables the agent reads (`Env:`, names only), sub-agents, degraded capabilities, `Missing:` and `Warning:` lines where they apply, and every
 * decision under `verbose`.
 */
export function formatPlanText(plan: ResolvedPlan, options: { verbose?: boolean } = {}): string {
  const out = [
    // A built-in runtime has no binary: it ships inside AgentLang (its version, `runtime.version`, is pinned by the lock).
    line('Runtime', plan.runtime.binary === '' ? `${plan.runtime.name} (built in)` : plan.runtime.name),
    line('Model', plan.model ?? 'none'),
    line('Auth', plan.authSource),
    line('Tools', plan.tools.length === 0 ? 'none' : plan.tools.map((t) => `${t.name}@${t.version}`).join(', ')),
  ];
  if (plan.mcpServers.length > 0) {
    out.push(
      line(
        'MCP',
        plan.mcpServers.map((s) => `${s.name} (${s.tools.length} tool${s.tools.length === 1 ? '' : 's'})`).join(', '),
      ),
    );
  }
  // Names only: which host variables the agent reads, and where (never a value).
  if (plan.environment && plan.environment.length > 0)
    out.push(line('Env', plan.environment.map((e) => `${e.name} (${e.uses.join(', ')})`).join(', ')));
  if (plan.subAgents.length > 0) out.push(line('Agents', plan.subAgents.map((a) => a.name).join(', ')));
  if (plan.permissions.degraded.length > 0) out.push(line('Degraded', plan.permissions.degraded.join(', ')));
  for (const m of plan.missing) out.push(line('Missing', m));
  for (const w of plan.warnings) out.push(line('Warning', w));
  if (options.verbose) for (const d of plan.decisions) out.push(line('Decision', d));
  return out.join('\n');
}
