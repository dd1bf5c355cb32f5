// dist/agentlang.js: a CommonJS launcher, because Node 20 spends noticeably longer starting an ES
// module entry and has no compile cache for ES modules. `agentlang validate` (a measured start-up
// target) runs from dist/hot/validate-core.cjs through V8's code cache; every other verb, a
// container given to validate, and validate when that bundle is missing go to the full ES-module
// CLI (dist/agentlang.mjs). hot-load.js is imported lazily so other verbs never load vm or crypto here.

function fail(error: unknown): void {
  process.stderr.write(`Error: ${String(error)}\n`);
  process.exitCode = 1;
}

function runFull(): void {
  const full = './agentlang.mjs';
  import(full).catch(fail);
}

async function runValidate(): Promise<void> {
  const { loadHot } = await import('./hot-load.js');
  const fast = loadHot<{ run(): Promise<boolean> }>('validate-core', __dirname);
  if (!fast || !(await fast.run())) runFull();
}

const verb = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
if (verb === 'validate') runValidate().catch(fail);
else runFull();
