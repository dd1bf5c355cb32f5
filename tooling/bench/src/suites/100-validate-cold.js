// Cold start of the CLI on its hot path: `agentlang validate examples/research-assistant` against
// `node -e 0`, interleaved in one run (same machine noise, same NODE_EXTRA_CA_CERTS cost on both
// sides), medians. Target (ARCHITECTURE.md): validate ≤ 1.5× node's own start.
// AGENTLANG_BENCH_CLI may point at another build of the bundle (e.g. to compare tsup settings).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, interleave, root, row } from '../harness.js';

export async function run() {
  const bundle = process.env.AGENTLANG_BENCH_CLI ?? cli;
  if (!existsSync(bundle))
    throw new Error(`${bundle} is missing; build the CLI first: pnpm --filter @agentlang/cli... build`);
  const agent = join(root, 'examples/research-assistant');
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 21);
  const t = interleave(
    {
      node: [process.execPath, ['-e', '0']],
      validate: [process.execPath, [bundle, 'validate', agent], { cwd: root }],
      version: [process.execPath, [bundle, '--version'], { cwd: root }],
    },
    { rounds, warmup: 3 },
  );
  const ratio = t.validate / t.node;
  return [
    row('validate', 'node -e 0 (median wall ms)', { value: t.node.toFixed(1), unit: 'ms' }),
    row('validate', 'agentlang --version (median wall ms)', {
      value: t.version.toFixed(1),
      unit: 'ms',
      ratio: t.version / t.node,
      note: 'the bundle entry alone (argument parsing, no verb loaded)',
    }),
    row('validate', 'agentlang validate examples/research-assistant', {
      value: t.validate.toFixed(1),
      unit: 'ms',
      ratio,
      target: '≤ 1.5',
      pass: ratio <= 1.5,
      note: `validate − node = ${(t.validate - t.node).toFixed(1)} ms over ${rounds} interleaved rounds`,
    }),
  ];
}
