// Delegation (issue 13 §5): orchestration overhead per delegation, against a floor of the same
// sub-agent run alone. A model server (a child process on 127.0.0.1) answers every request with a
// one-line text answer, in both protocols. Floor: `runLoop` of the sub-agent (its model client,
// system prompt and a no-op tool built once). Delegated: the same sub-agent through
// `createDelegation` — a `delegate()` call (depth and permission checks, `prepare`, events, usage
// bookkeeping) and a sequential crew of 10 members with `depends_on` chaining each to the previous
// (results handed along); and both with an in-memory model, without HTTP. Interleaved per round (the order alternating), medians (target: ≤ 1 ms per delegation).
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
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
      protocol === 'openai'
        ? harness.createOpenAIClient({ model: 'bench', baseUrl: `${url}/v1`, stream: false })
        : harness.createAnthropicClient({ model: 'bench', baseUrl: url, stream: false });
    const noop = {
      spec: { name: 'noop', description: 'does nothing', inputSchema: { type: 'object' } },
      execute: async () => ({ ok: true, content: 'ok' }),
    };
    const sub = { model, system: 'You are a specialist.', tools: [noop] };
    const signal = new AbortController().signal;
    const task = 'Research the topic thoroughly.';
    const alone = () => harness.runLoop({ ...sub, prompt: task, signal });
    const delegation = harness.createDelegation({ prepare: async () => sub, permissions: {} });
    const one = async () => {
      const r = await delegation.delegate({ name: 'specialist' }, task, { depth: 1, parent: 'bench', signal });
      if (!r.ok) throw new Error(r.reason);
    };
    const members = Array.from({ length: MEMBERS }, (_, i) => ({
      name: `m${i}`,
      task,
      ...(i > 0 ? { dependsOn: [`m${i - 1}`] } : {}),
    }));
    const crew = async () => {
      const r = await delegation.runCrew({ process: 'sequential', members }, { prompt: 'Go.', root: 'bench', signal });
      if (r.outcome !== 'completed') throw new Error(`crew ended ${r.outcome}`);
    };
    const aloneTen = async () => {
      for (let i = 0; i < MEMBERS; i++) await alone();
    };
    const t = { alone: [], one: [], aloneTen: [], crew: [] };
    for (let i = 0; i < rounds + 3; i++) {
      // Each pair alternates which side goes first, so warm-up and noise do not favour one.
      const order = i % 2 === 0 ? { alone, one, aloneTen, crew } : { one, alone, crew, aloneTen };
      for (const [label, fn] of Object.entries(order)) {
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

/**
 * The same comparison with an in-memory model (no HTTP): what delegation adds to a run, without the
 * network noise of a shared machine. Each sample is `n` runs; returns µs per run for each side.
 */
async function measureInMemory(harness, rounds, n = 500) {
  const model = {
    protocol: 'openai',
    model: 'mem',
    complete: async () => ({
      text: 'Done.',
      toolCalls: [],
      stopReason: 'end',
      usage: { inputTokens: 1, outputTokens: 1 },
    }),
  };
  const sub = { model, system: 'You are a specialist.', tools: [] };
  const signal = new AbortController().signal;
  const delegation = harness.createDelegation({ prepare: async () => sub, permissions: {} });
  const alone = async () => {
    for (let i = 0; i < n; i++) await harness.runLoop({ ...sub, prompt: 'Task.', signal });
  };
  const one = async () => {
    for (let i = 0; i < n; i++)
      await delegation.delegate({ name: 'specialist' }, 'Task.', { depth: 1, parent: 'bench', signal });
    delegation.runs.length = 0;
  };
  const t = { alone: [], one: [] };
  for (let i = 0; i < rounds + 3; i++) {
    for (const [label, fn] of Object.entries(i % 2 === 0 ? { alone, one } : { one, alone })) {
      const start = process.hrtime.bigint();
      await fn();
      if (i >= 3) t[label].push(Number(process.hrtime.bigint() - start) / 1e3 / n);
    }
  }
  return { alone: median(t.alone), one: median(t.one) };
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
  const mem = await measureInMemory(harness, rounds);
  const perMem = mem.one - mem.alone;
  rows.push(
    row(SUITE, 'overhead per delegation, in-memory model', {
      value: perMem.toFixed(1),
      unit: 'µs',
      ratio: mem.one / mem.alone,
      target: '≤ 1 ms per delegation',
      pass: perMem <= 1000,
      note: `delegated ${mem.one.toFixed(1)} µs vs the same sub-agent run alone ${mem.alone.toFixed(1)} µs per run (medians of ${rounds}, 500 runs each)`,
    }),
  );
  return rows;
}
