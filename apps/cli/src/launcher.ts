import { loadHot } from './hot-load.js';

// dist/agentlang.js: a CommonJS launcher, because Node 20 spends noticeably longer starting an ES
// module entry and has no compile cache for ES modules. `agentlang validate` (a measured start-up
// target) runs from dist/hot/validate-core.cjs through V8's code cache; every other verb, a
// container given to validate, and validate when that bundle is missing go to the full ES-module
// CLI (dist/agentlang.mjs).

function runFull(): void {
  const full = './agentlang.mjs';
  import(full).catch((error: unknown) => {
    process.stderr.write(`Error: cannot load ${full}: ${String(error)}\n`);
    process.exitCode = 1;
  });
}

const verb = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const fast = verb === 'validate' ? loadHot<{ run(): Promise<boolean> }>('validate-core', __dirname) : undefined;
if (fast) {
  fast.run().then(
    (handled) => {
      if (!handled) runFull();
    },
    (error: unknown) => {
      process.stderr.write(`Error: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
} else {
  runFull();
}
