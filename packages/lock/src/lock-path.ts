import { statSync } from 'node:fs';
import { join } from 'node:path';

/** Where an agent's lock lives: `<dir>/agent.lock` for a directory, `<file>.lock` for a file (`demo.agent` → `demo.agent.lock`). */
export function lockPathFor(agentPath: string): string {
  let isDirectory = false;
  try {
    isDirectory = statSync(agentPath).isDirectory();
  } catch {
    // A path that does not exist yet is treated as a file; loading it will report the real problem.
  }
  return isDirectory ? join(agentPath, 'agent.lock') : `${agentPath.replace(/[/\\]+$/, '')}.lock`;
}
