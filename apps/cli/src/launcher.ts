// dist/agentlang.js: a CommonJS launcher, because Node 20 spends noticeably longer starting an ES
// module entry and has no compile cache for ES modules. `agentlang validate` and `agentlang run`
// (measured start-up targets) run from dist/hot/<verb>-core.cjs through V8's code cache; every
// other verb, what those bundles hand back (containers, --tool-registry), and both verbs when their
// bundle is missing go to the full ES-module CLI (dist/agentlang.mjs). hot-load.js is imported
// lazily so other verbs never load vm or crypto here.

import { applyAgentSpecEnv } from './agentspec-env.js';

function fail(error: unknown): void {
  process.stderr.write(`Error: ${String(error)}\n`);
  process.exitCode = 1;
}

function runFull(): void {
  const full = './agentlang.mjs';
  import(full).catch(fail);
}

/** Verbs with a code-cached fast path, and the bundle under dist/hot/ that holds it. */
const HOT_VERBS = new Map([
  ['validate', 'validate-core'],
  ['run', 'run-core'],
]);

async function runHot(name: string): Promise<void> {
  const { loadHot } = await import('./hot-load.js');
  const fast = loadHot<{ run(): Promise<boolean> }>(name, __dirname);
  if (!fast || !(await fast.run())) runFull();
}

// AGENTSPEC_* variables stand in for their AGENTLANG_* names (one notice line on stderr); done
// here, before any path runs, so the fast paths, the full CLI and every package see the same env.
const notice = applyAgentSpecEnv(process.env);
if (notice) process.stderr.write(`${notice}\n`);

const verb = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const hot = verb === undefined ? undefined : HOT_VERBS.get(verb);
if (hot) runHot(hot).catch(fail);
else runFull();
