import type { HarnessTool } from './loop.js';

/** An active skill: its SKILL.md body joins the system prompt; `allowedTools` narrows the tools. */
export interface Skill {
  name: string;
  allowedTools?: string[];
  body: string;
}

/** Tools left after skills, and the text to append to the system prompt. */
export interface AppliedSkills {
  /** The tools to offer. */
  tools: HarnessTool[];
  /** Every input tool; those outside the allowed union answer `denied` (for name-based dispatch). */
  callable: HarnessTool[];
  /** The allowed union, or undefined when no active skill restricts tools. */
  allowed: Set<string> | undefined;
  systemAddendum: string;
}

function deniedWrapper(tool: HarnessTool, message: string): HarnessTool {
  return { spec: tool.spec, execute: async () => ({ ok: false, kind: 'denied', message }) };
}

/**
 * Applies active skills. When any skill declares `allowedTools`, only the union of those lists is
 * offered; `isAllowed` on the result also refuses (kind `denied`) calls to anything else, for
 * callers that dispatch by name outside the offered list (see {@link restrictToolCalls}).
 */
export function applySkills(tools: HarnessTool[], skills: Skill[]): AppliedSkills {
  const declaring = skills.filter((s) => s.allowedTools !== undefined);
  const allowed = declaring.length > 0 ? new Set(declaring.flatMap((s) => s.allowedTools ?? [])) : undefined;
  const kept = allowed ? tools.filter((t) => allowed.has(t.spec.name)) : tools;
  const systemAddendum = skills.map((s) => `## Skill: ${s.name}\n\n${s.body.trim()}`).join('\n\n');
  const callable = allowed ? restrictToolCalls(tools, allowed) : tools;
  return { tools: kept, callable, allowed, systemAddendum };
}

/**
 * Every tool stays registered (so the loop can answer a call to it) but those outside `allowed`
 * answer `denied`; pair with {@link applySkills}'s offered list.
 */
export function restrictToolCalls(
  tools: HarnessTool[],
  allowed: Iterable<string>,
  reason = 'not allowed by the active skills',
): HarnessTool[] {
  const set = new Set(allowed);
  return tools.map((t) => (set.has(t.spec.name) ? t : deniedWrapper(t, `${t.spec.name} is ${reason}`)));
}

/**
 * Denies at call time every tool whose required capability the host did not grant. Tools with no
 * required capability pass through unchanged.
 */
export function gateByCapabilities(
  tools: HarnessTool[],
  required: ReadonlyMap<string, string>,
  granted: ReadonlySet<string>,
): HarnessTool[] {
  return tools.map((t) => {
    const capability = required.get(t.spec.name);
    if (capability === undefined || granted.has(capability)) return t;
    return deniedWrapper(t, `${t.spec.name} needs the capability "${capability}", which this host did not grant`);
  });
}
