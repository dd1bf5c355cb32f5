import { posix } from 'node:path';
import type { LoadedAgent } from '@agentlang/manifest';
import type { PlanFile } from './plan.js';

/**
 * Names every source file of an agent by its role (see {@link PlanFile}): the entry is `manifest`
 * whatever the caller called it; the rest are named by what the manifest says they are.
 */
export function fileRoles(agent: LoadedAgent): PlanFile[] {
  const entry = agent.source.entry;
  const dir = posix.dirname(entry) === '.' ? '' : posix.dirname(entry);
  const here = (rel: string) => (dir ? `${dir}/${rel}` : rel);
  const fromDir = (path: string) => (dir && path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : path);
  const subAgents = new Map(agent.subAgentPaths.map((s) => [s.path, s.name ?? fromDir(s.path)]));
  const skills = new Map(
    agent.manifest.skills.filter((s) => s.file !== undefined).map((s) => [s.file as string, s.name]),
  );
  return agent.files.map((f) => {
    let role: string;
    if (f.path === entry) role = 'manifest';
    else if (f.path === (agent.prompt?.path ?? here('prompt.yaml'))) role = 'prompt';
    else if (f.path === here('ux.yaml')) role = 'ux';
    else if (subAgents.has(f.path)) role = `agent:${subAgents.get(f.path)}`;
    else if (skills.has(f.path)) role = `skill:${skills.get(f.path)}`;
    else role = `file:${fromDir(f.path)}`;
    return { path: f.path, sha256: f.sha256, role };
  });
}
