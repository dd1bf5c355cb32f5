// The harness loop (issue 12): overhead per step of runLoop over the same HTTP round trips without
// the loop, for both protocols (OpenAI Chat Completions, Anthropic Messages), streamed and whole.
// A scripted model server (a child process on 127.0.0.1) answers with a tool call until the
// conversation holds `steps - 1` tool results, then with text, and keeps the bodies it received.
// Floor: the same requests (the bodies the loop sent, byte for byte, as the server recorded them)
// sent over node:http with the global keep-alive agent (the harness's own transport) and each body
// (JSON or SSE stream) read to its end, with the same headers the clients send — but neither
// decoded nor parsed: decoding and parsing the answers is the loop's work, counted in its overhead.
// Loop: runLoop with a no-op tool. Interleaved per round; the overhead is the median of the per-round differences (loop −
// floor), so a slow moment on this shared machine hits both sides of one difference alike; beside it
// the same difference in this process's CPU time (the server is another process), which the other
// engineers' load barely moves. At 2, 10 and 30 steps (target: <= 50 µs per step), and a row per
// variant for flatness (the per-step overhead at 30 steps against 2).
// AGENTLANG_BENCH_ROUNDS sets the rounds (default 15).
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, root, row } from '../harness.js';

const SUITE = 'harness';
// Unmeasured rounds first: with 3, the first variant measured in a fresh process (openai streamed,
// 2 steps) still paid for V8 compiling the loop and the client on background threads, which this
// process's CPU time counts (seen as ±1.5 ms per step of CPU in either direction).
const WARMUP = 10;
const dist = (pkg) => pathToFileURL(join(root, `packages/${pkg}/dist/index.js`)).href;

const SERVER = `
import { createServer } from 'node:http';
const steps = Number(process.argv[1]);
let n = 0;
let bodies = [];
const sse = (events) => events.map((e) => (e.event ? 'event: ' + e.event + '\\n' : '') + 'data: ' + (typeof e.data === 'string' ? e.data : JSON.stringify(e.data)) + '\\n\\n').join('');
function openai(body, done, res) {
  const usage = { prompt_tokens: 10, completion_tokens: 3 };
  const call = { id: 'call_' + n, type: 'function', function: { name: 'noop', arguments: '{"i":' + n + '}' } };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const message = done ? { role: 'assistant', content: 'The answer.' } : { role: 'assistant', content: null, tool_calls: [call] };
    res.end(JSON.stringify({ id: 'c' + n, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: done ? 'stop' : 'tool_calls' }], usage }));
    return;
  }
  const chunk = (delta, finish = null) => ({ data: { id: 'c' + n, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] } });
  const events = [chunk({ role: 'assistant', content: '' })];
  if (done) events.push(chunk({ content: 'The answer.' }), chunk({}, 'stop'));
  else events.push(chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: 'noop', arguments: '' } }] }), chunk({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }), chunk({}, 'tool_calls'));
  events.push({ data: { id: 'c' + n, choices: [], usage } }, { data: '[DONE]' });
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(sse(events));
}
function anthropic(body, done, res) {
  const block = done ? { type: 'text', text: 'The answer.' } : { type: 'tool_use', id: 'toolu_' + n, name: 'noop', input: { i: n } };
  const stop = done ? 'end_turn' : 'tool_use';
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'msg_' + n, type: 'message', role: 'assistant', model: body.model, content: [block], stop_reason: stop, usage: { input_tokens: 10, output_tokens: 3 } }));
    return;
  }
  const ev = (data) => ({ event: data.type, data });
  const events = [ev({ type: 'message_start', message: { id: 'msg_' + n, type: 'message', role: 'assistant', content: [], usage: { input_tokens: 10, output_tokens: 1 } } })];
  if (done) events.push(ev({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }), ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'The answer.' } }));
  else events.push(ev({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: block.id, name: 'noop', input: {} } }), ev({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } }));
  events.push(ev({ type: 'content_block_stop', index: 0 }), ev({ type: 'message_delta', delta: { stop_reason: stop }, usage: { output_tokens: 3 } }), ev({ type: 'message_stop' }));
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(sse(events));
}
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    // GET /bodies hands over (and forgets) the bodies received since the last call.
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(bodies));
      bodies = [];
      return;
    }
    const text = Buffer.concat(chunks).toString();
    bodies.push(text);
    const body = JSON.parse(text);
    n++;
    if (req.url === '/v1/messages') {
      const results = body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b) => b.type === 'tool_result').length;
      anthropic(body, results >= steps - 1, res);
    } else openai(body, body.messages.filter((m) => m.role === 'tool').length >= steps - 1, res);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write('URL http://127.0.0.1:' + server.address().port + '\\n'));
`;

/**
 * One POST over node:http with the global keep-alive agent, the body read to its end: the transport
 * the harness itself uses (packages/harness/src/http-request.ts). Not fetch: undici costs more per
 * request than the whole loop adds (with fetch as the floor, the loop measured 300–1000 µs CPU per
 * step *below* it), which would hide any loop overhead.
 */
function post(target, headers, body) {
  return new Promise((resolve, reject) => {
    const headersOut = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers };
    const req = request(target, { method: 'POST', headers: headersOut }, (res) => {
      res.on('data', () => {});
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function startServer(steps) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER, String(steps)], {
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

const VARIANTS = [
  { protocol: 'openai', stream: true },
  { protocol: 'openai', stream: false },
  { protocol: 'anthropic', stream: true },
  { protocol: 'anthropic', stream: false },
];

function client(harness, { protocol, stream }, url) {
  return protocol === 'openai'
    ? {
        model: harness.createOpenAIClient({ model: 'bench', baseUrl: `${url}/v1`, stream }),
        path: '/v1/chat/completions',
        headers: {},
      }
    : {
        model: harness.createAnthropicClient({ model: 'bench', baseUrl: url, stream }),
        path: '/v1/messages',
        headers: { 'anthropic-version': '2023-06-01' },
      };
}

async function measure(harness, variant, steps, rounds) {
  const { child, url } = await startServer(steps);
  try {
    const { model, path, headers } = client(harness, variant, url);
    const noop = {
      spec: { name: 'noop', description: 'does nothing', inputSchema: { type: 'object' } },
      execute: async () => ({ ok: true, content: 'ok' }),
    };
    const loop = () =>
      harness.runLoop({
        model,
        system: 'You are a benchmark.',
        prompt: 'Go.',
        tools: [noop],
        limits: { maxTurns: steps + 1, maxRepeats: 1000 },
      });
    const sample = await loop();
    if (sample.outcome !== 'completed' || sample.turns !== steps)
      throw new Error(`${variant.protocol} loop ended ${sample.outcome} after ${sample.turns} turns`);
    // The floor sends exactly the bodies the loop sent, as the server received them.
    const bodies = await (await fetch(`${url}/bodies`)).json();
    if (bodies.length !== steps) throw new Error(`the server recorded ${bodies.length} requests for ${steps} steps`);
    const target = new URL(`${url}${path}`);
    const floor = async () => {
      for (const body of bodies) await post(target, headers, body);
    };
    const t = { floor: [], loop: [], floorCpu: [], loopCpu: [] };
    for (let i = 0; i < rounds + WARMUP; i++) {
      for (const [label, fn] of [
        ['floor', floor],
        ['loop', loop],
      ]) {
        const cpu = process.cpuUsage();
        const start = process.hrtime.bigint();
        await fn();
        const wall = Number(process.hrtime.bigint() - start) / 1e6;
        const used = process.cpuUsage(cpu);
        if (i >= WARMUP) {
          t[label].push(wall);
          t[`${label}Cpu`].push((used.user + used.system) / 1000);
        }
      }
    }
    await fetch(`${url}/bodies`).then((r) => r.text());
    const paired = (a, b) => median(t[a].map((v, i) => v - t[b][i]));
    return {
      floor: median(t.floor),
      loop: median(t.loop),
      wallDelta: paired('loop', 'floor'),
      cpuDelta: paired('loopCpu', 'floorCpu'),
    };
  } finally {
    child.kill('SIGKILL');
  }
}

export async function run() {
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 15);
  const harness = await import(dist('harness'));
  // One unreported pass of every variant first: whichever row came first otherwise paid for V8
  // compiling the loop, the clients and node:http (its per-step figure was 2–10× the others').
  for (const variant of VARIANTS) await measure(harness, variant, 10, 3);
  const rows = [];
  for (const variant of VARIANTS) {
    const label = `${variant.protocol}${variant.stream ? ' streamed' : ' whole'}`;
    const perStep = {};
    for (const steps of [2, 10, 30]) {
      const { floor, loop, wallDelta, cpuDelta } = await measure(harness, variant, steps, rounds);
      const perStepUs = (wallDelta / steps) * 1000;
      const cpuPerStepUs = (cpuDelta / steps) * 1000;
      perStep[steps] = perStepUs;
      rows.push(
        row(SUITE, `loop overhead per step, ${label}, ${steps} steps`, {
          value: perStepUs.toFixed(0),
          unit: 'µs',
          ratio: loop / floor,
          target: '≤ 50 µs per step',
          pass: perStepUs <= 50,
          note: `loop ${loop.toFixed(2)} ms vs the same ${steps} HTTP round trips ${floor.toFixed(2)} ms (medians of ${rounds}; per step: the median of paired per-round differences); this process's CPU per step over the floor's: ${cpuPerStepUs.toFixed(0)} µs`,
        }),
      );
    }
    // Flat: the overhead of a step does not grow with the conversation (the loop's work per step
    // must not scale with the history it carries). The spread of the three per-step figures.
    const figures = [perStep[2], perStep[10], perStep[30]];
    const spread = Math.max(...figures) - Math.min(...figures);
    rows.push(
      row(SUITE, `loop overhead per step, ${label}, flat 2→30 steps`, {
        value: (perStep[30] - perStep[2]).toFixed(0),
        unit: 'µs',
        target: 'per-step overhead at 30 steps ≤ at 2 steps + 25 µs',
        pass: perStep[30] <= perStep[2] + 25,
        note: `per step at 2 / 10 / 30 steps: ${figures.map((f) => f.toFixed(0)).join(' / ')} µs (spread ${spread.toFixed(0)} µs); the value is 30 steps minus 2 steps`,
      }),
    );
  }
  return rows;
}
