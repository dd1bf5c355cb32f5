// `pnpm bench`: runs every suite in src/suites (or those named on the command line), prints a
// table, and writes bench-results/latest.json. Targets are reported, never asserted.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './harness.js';

const only = process.argv.slice(2);
const dir = join(root, 'tooling/bench/src/suites');
const suites = readdirSync(dir)
  .filter((f) => f.endsWith('.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const rows = [];
for (const file of suites) {
  process.stderr.write(`bench: ${file}\n`);
  const suite = await import(join(dir, file));
  try {
    for (const r of await suite.run()) {
      rows.push(r);
      const ratio = r.ratio === undefined ? '' : `  ratio ${r.ratio.toFixed(2)}`;
      const target = r.target ? `  target ${r.target} ${r.pass ? 'MET' : 'MISSED'}` : '';
      process.stdout.write(
        `${r.suite.padEnd(12)} ${r.name.padEnd(52)} ${String(r.value).padStart(10)} ${r.unit ?? ''}${ratio}${target}\n`,
      );
      if (r.note) process.stdout.write(`${''.padEnd(13)}${r.note}\n`);
    }
  } catch (error) {
    process.stdout.write(`${file}: FAILED ${error.stack ?? error}\n`);
    process.exitCode = 1;
  }
}
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(
  join(root, 'bench-results/latest.json'),
  `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`,
);
