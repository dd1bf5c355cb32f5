// Delegation (issue 13 §5): orchestration overhead per delegation, against a floor of the same
// sub-agent run alone. A model server (a child process on 127.0.0.1) answers every request with a
// one-line text answer, in both protocols. Floor: `runLoop` of the sub-agent (its model client,
// system prompt and a no-op tool built once). Delegated: the same sub-agent through
// `createDelegation` — a `delegate()` call (depth and permission checks, `prepare`, events, usage
// bookkeeping) and a sequential crew of 10 members with `depends_on` chaining each to the previous
// (results handed along). Interleaved per round, medians (target: ≤ 1 ms per delegation).
// AGENTLANG_BENCH_ROUNDS sets the rounds (default 15).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, root, row } from '../harness.js';

const SUITE = 'delegation';
const MEMBERS = 10;
const dist = (pkg) => pathToFileURL(join(root, `packages/${pkg}/dist/index.js`)).href;

const SERVER = `
import { createServer } from 'node:http';
let n = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString());
    n++;
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/v1/messages') {
      res.end(JSON.stringify({ id: 'msg_' + n, type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Done: ' + n }], stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 3 } }));
    } else {
      res.end(JSON.stringify({ id: 'c' + n, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'Done: ' + n }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 3 } }));
    }
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write('URL http://127.0.0.1:' + server.address().port + '\\n'));
`;

function startServer() {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /^URL (\S+)$/m.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
}

async function measure(harness, protocol, rounds) {
  const { child, url } = await startServer();
  try {
    const model =
      protocol === 'openai' ? harness.createOpenAIClient({ model: 'bench', baseUrl: `${url}/v1`, stream: false }) : harness.createAnthropicClient({ model: 'bench', baseUrl: url, stream: false });
    const noop = { spec: { name: 'noop', description: 'does nothing', inputSchema: { type: 'object' } }, execute: async () => ({ ok: true, content: 'ok' }) };
    const sub = { model, system: 'You are a specialist.', tools: [noop] };
    const signal = new AbortController().signal;
    const task = 'Research the topic thoroughly.';
    const alone = () => harness.runLoop({ ...sub, prompt: task });
    const delegation = harness.createDelegation({ prepare: async () => sub, permissions: {} });
    const one = async () => {
      const r = await delegation.delegate({ name: 'specialist' }, task, { depth: 1, parent: 'bench', signal });
      if (!r.ok) throw new Error(r.reason);
    };
    const members = Array.from({ length: MEMBERS }, (_, i) => ({ name: `m${i}`, task, ...(i > 0 ? { dependsOn: [`m${i - 1}`] } : {}) }));
    const crew = async () => {
      const r = await delegation.runCrew({ process: 'sequential', members }, { prompt: 'Go.', root: 'bench', signal });
      if (r.outcome !== 'completed') throw new Error(`crew ended ${r.outcome}`);
    };
    const aloneTen = async () => {
      for (let i = 0; i < MEMBERS; i++) await alone();
    };
    const t = { alone: [], one: [], aloneTen: [], crew: [] };
    for (let i = 0; i < rounds + 3; i++) {
      for (const [label, fn] of Object.entries({ alone, one, aloneTen, crew })) {
        const start = process.hrtime.bigint();
        await fn();
        if (i >= 3) t[label].push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      // Keep the usage list from growing across rounds.
      delegation.runs.length = 0;
    }
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
  } finally {
    child.kill('SIGKILL');
  }
}

export async function run() {
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 15);
  const harness = await import(dist('harness'));
  const rows = [];
  for (const protocol of ['openai', 'anthropic']) {
    const m = await measure(harness, protocol, rounds);
    const perOne = m.one - m.alone;
    const perCrew = (m.crew - m.aloneTen) / MEMBERS;
    rows.push(
      row(SUITE, `overhead per delegation, ${protocol}, delegate()`, {
        value: (perOne * 1000).toFixed(0),
        unit: 'µs',
        ratio: m.one / m.alone,
        target: '≤ 1 ms per delegation',
        pass: perOne <= 1,
        note: `delegated ${m.one.toFixed(2)} ms vs the same sub-agent run alone ${m.alone.toFixed(2)} ms (medians of ${rounds})`,
      }),
      row(SUITE, `overhead per delegation, ${protocol}, sequential crew of ${MEMBERS}`, {
        value: (perCrew * 1000).toFixed(0),
        unit: 'µs',
        ratio: m.crew / m.aloneTen,
        target: '≤ 1 ms per delegation',
        pass: perCrew <= 1,
        note: `crew ${m.crew.toFixed(2)} ms vs ${MEMBERS} runs alone ${m.aloneTen.toFixed(2)} ms (medians of ${rounds})`,
      }),
    );
  }
  return rows;
}
