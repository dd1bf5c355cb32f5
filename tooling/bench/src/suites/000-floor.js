// The floors every other suite is compared with, printed for the record.
import { interleave, row } from '../harness.js';

export async function run() {
  const t = interleave({ node: [process.execPath, ['-e', '0']] }, { rounds: 10, warmup: 2 });
  return [row('floor', 'node -e 0 (median wall ms)', { value: t.node.toFixed(1), unit: 'ms' })];
}
