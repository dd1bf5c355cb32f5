// Cold `agentlang run --runtime harness` to its first model request (issue 12): the bundled CLI
// spawned on a tiny agent (one OpenAI model, no tools) with OPENAI_BASE_URL at a server in this
// process that notes when the first request arrives; from spawn to that arrival, against
// `node -e 0` spawned the same way (spawn to exit), interleaved, medians. Both get the same
// environment (NODE_EXTRA_CA_CERTS, where set, costs every node start alike).
// Target: first request <= node -e 0 + 80 ms. AGENTLANG_BENCH_CLI may point at another build;
// AGENTLANG_BENCH_ROUNDS sets rounds (default 15).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, median, row } from '../harness.js';

const AGENT = `name: cold-agent
version: 0.1.0
description: Answers once.
models:
  gpt-bench:
    provider: openai
`;

const ANSWER = JSON.stringify({
  id: 'c1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1 },
});

/** Spawns and resolves with { exitMs, firstMs } (ms from spawn), rejecting on a failed exit. */
function timeChild(args, options, arrivals) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let first;
    arrivals.next = (at) => {
      first ??= Number(at - start) / 1e6;
    };
    const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const exitMs = Number(process.hrtime.bigint() - start) / 1e6;
      arrivals.next = undefined;
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
      else resolve({ exitMs, firstMs: first });
    });
  });
}

export async function run() {
  const bundle = process.env.AGENTLANG_BENCH_CLI ?? cli;
  if (!existsSync(bundle))
    throw new Error(`${bundle} is missing; build the CLI first: pnpm --filter @agentlang/cli... build`);
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 15);
  const work = mkdtempSync(join(tmpdir(), 'agentlang-bench-cold-'));
  const arrivals = { next: undefined };
  const server = createServer((req, res) => {
    arrivals.next?.(process.hrtime.bigint());
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(ANSWER);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    writeFileSync(join(work, 'agent.yaml'), AGENT);
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => k !== 'CI' && !k.startsWith('AGENTLANG_') && !k.startsWith('AGENTSPEC_'),
      ),
    );
    Object.assign(env, {
      NO_COLOR: '1',
      OPENAI_BASE_URL: `http://127.0.0.1:${server.address().port}/v1`,
      OPENAI_API_KEY: 'sk-bench',
    });
    const options = { cwd: work, env };
    const t = { node: [], first: [], run: [] };
    for (let i = 0; i < rounds + 3; i++) {
      const node = await timeChild(['-e', '0'], options, arrivals);
      const cold = await timeChild([bundle, 'run', '.', '--runtime', 'harness', '--prompt', 'Hi.'], options, arrivals);
      if (cold.firstMs === undefined)
        throw new Error('agentlang run --runtime harness finished without a model request');
      if (i >= 3) {
        t.node.push(node.exitMs);
        t.first.push(cold.firstMs);
        t.run.push(cold.exitMs);
      }
    }
    const node = median(t.node);
    const first = median(t.first);
    const runMs = median(t.run);
    const budget = node + 80;
    return [
      row('harness', 'cold: node -e 0 (median wall ms)', { value: node.toFixed(1), unit: 'ms' }),
      row('harness', 'cold: run --runtime harness to 1st model request', {
        value: first.toFixed(1),
        unit: 'ms',
        ratio: first / budget,
        target: '≤ node -e 0 + 80 ms',
        pass: first <= budget,
        note: `first request − node -e 0 = ${(first - node).toFixed(1)} ms (allowed 80); whole run to exit ${runMs.toFixed(1)} ms (medians of ${rounds})`,
      }),
    ];
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(work, { recursive: true, force: true });
  }
}
