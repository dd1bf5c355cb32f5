import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyAgentSpecEnv } from './agentspec-env.js';
import { loadBundle } from './load-bundle.js';

// dist/agentlang.js, the `bin`: a small CommonJS launcher (Node 20 starts a CommonJS entry faster
// than an ES module, and can code-cache only scripts). It runs the verb's own bundle,
// dist/verbs/<verb>.cjs — main.ts, every verb's declaration and that one verb's code — through the
// code cache (src/load-bundle.ts); anything else (no verb, help, an unknown verb) runs
// dist/verbs/help.cjs, which is main.ts and the declarations alone.

// AGENTSPEC_* variables stand in for their AGENTLANG_* names (one notice line on stderr); done
// here, before any bundle runs, so every package sees the same env.
const notice = applyAgentSpecEnv(process.env);
if (notice) process.stderr.write(`${notice}\n`);

const argv = process.argv.slice(2);
// Global options are flags without values, so the verb is the first argument that is not one (as main.ts reads it).
const verb = argv.find((arg) => !arg.startsWith('-'));
const own = verb !== undefined && /^[a-z][a-z-]*$/.test(verb) ? join(__dirname, 'verbs', `${verb}.cjs`) : undefined;
const bundle = own !== undefined && existsSync(own) ? own : join(__dirname, 'verbs', 'help.cjs');
loadBundle<{ start(argv: string[]): void }>(bundle).start(argv);
