// Session resume (issue 13, section 5): a 200-turn session on disk — each turn a user message, an
// assistant tool call, its tool result and an answer (800 messages) — taken up again in process:
// acquire the session's lock, load and parse it, release (what a run does before its loop starts).
// Target: <= 50 ms. Floor, same run: readFileSync of the same file and JSON.parse of each of its
// lines — the bytes and parsing no file format can avoid; the ratio says what the store adds.
// Also reported: the checkpoint of one more step on that session (appended, fsync).
// AGENTLANG_BENCH_ROUNDS sets the rounds (default 15).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, root, row } from '../harness.js';

const SUITE = 'session';
const TURNS = 200;

function conversation(turns) {
  const messages = [];
  for (let i = 0; i < turns; i++) {
    messages.push({
      role: 'user',
      content: `Question ${i}: ${'what did the sources say about this part of the topic? '.repeat(3)}`,
    });
    messages.push({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: `call_${i}`, name: 'web_search', arguments: { query: `topic part ${i}`, limit: 5 } }],
    });
    messages.push({
      role: 'tool',
      toolCallId: `call_${i}`,
      name: 'web_search',
      content: JSON.stringify({
        results: Array.from({ length: 5 }, (_, k) => ({
          url: `https://example.org/${i}/${k}`,
          title: `Result ${k} for part ${i}`,
          snippet: 'a short snippet of the page text '.repeat(4),
        })),
      }),
    });
    messages.push({
      role: 'assistant',
      content: `Answer ${i}: ${'the sources agree on the main point and differ on details. '.repeat(6)}`,
    });
  }
  return messages;
}

export async function run() {
  const { createFileSessionStore, newSession } = await import(
    pathToFileURL(join(root, 'packages/harness/dist/index.js')).href
  );
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 15);
  const dir = mkdtempSync(join(tmpdir(), 'agentlang-bench-session-'));
  try {
    const store = createFileSessionStore(dir);
    const state = newSession('long', 'bench@1.0.0');
    state.messages = conversation(TURNS);
    state.meta.turns = TURNS;
    await store.checkpoint(state);
    const file = join(dir, 'long.jsonl');
    const bytes = readFileSync(file).length;
    const floor = () => {
      const lines = readFileSync(file, 'utf8').split('\n');
      let n = 0;
      for (const line of lines) if (line !== '') n += JSON.parse(line) ? 1 : 0;
      return n;
    };
    const resume = async () => {
      const lease = await store.acquire('long');
      try {
        return (await store.load('long')).messages.length;
      } finally {
        lease.release();
      }
    };
    if ((await resume()) !== TURNS * 4 || floor() !== TURNS * 4 + 1) throw new Error('setup failed');
    const time = async (fn) => {
      const start = process.hrtime.bigint();
      await fn();
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const f = [];
    const r = [];
    const w = [];
    for (let i = 0; i < 3; i++) {
      await time(floor);
      await time(resume);
    }
    // Interleaved rounds, so machine noise hits each alike.
    for (let i = 0; i < rounds; i++) {
      f.push(await time(floor));
      r.push(await time(resume));
    }
    // Checkpoints apart: their fsyncs would disturb the rounds above.
    // A step: one more message on the session, checkpointed (appended, fsync).
    for (let i = 0; i < rounds; i++) {
      state.messages = [...state.messages, { role: 'user', content: `one more step ${i}` }];
      w.push(await time(() => store.checkpoint(state)));
    }
    const fm = median(f);
    const rm = median(r);
    return [
      row(SUITE, `floor: readFileSync + JSON.parse per line (${(bytes / 1024).toFixed(0)} KiB)`, {
        value: Number(fm.toFixed(2)),
        unit: 'ms',
      }),
      row(SUITE, `resume a ${TURNS}-turn session (lock, load, release)`, {
        value: Number(rm.toFixed(2)),
        unit: 'ms',
        ratio: rm / fm,
        target: '<= 50 ms',
        pass: rm <= 50,
        note: `${TURNS * 4} messages; ${(rm - fm).toFixed(2)} ms over the floor`,
      }),
      row(SUITE, `checkpoint one step of a ${TURNS}-turn session (append, fsync)`, {
        value: Number(median(w).toFixed(2)),
        unit: 'ms',
        ratio: median(w) / fm,
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
