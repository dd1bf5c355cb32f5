// Containers (issue 5): build and verify of an agent with 256 MiB of context/ against floors that do
// the same byte work with raw node:fs + node:crypto (1 MiB chunks, reads overlapped with hashing and
// writes as build does them): build reads, hashes (sha256) and
// writes every context byte (only the small prompt is encrypted, so AES over the context would be a
// floor that does work build never does); verify reads and hashes. Also the peak memory (maxRSS of a
// child process) of build and verify at 16 MiB versus 256 MiB of context.
// Every measurement runs in its own child process (no warm heap carried over), interleaved
// floor/build/verify per round; the page cache is warmed first so all read from memory alike.
// AGENTLANG_BENCH_ROUNDS sets the rounds (default 3); AGENTLANG_BENCH_CONTAINER_MIB the large size.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, root, row } from '../harness.js';

const SUITE = 'container';
const MiB = 1024 * 1024;
const dist = (pkg) => pathToFileURL(join(root, `packages/${pkg}/dist/index.js`)).href;

const CHILD = `
import { createHash } from 'node:crypto';
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
const [mode, agentDir, out, key, pub, recipient] = process.argv.slice(1);
// Module loading is not timed (the floor loads nothing either); everything after it is.
const container = mode.startsWith('floor') ? null : await import(${JSON.stringify(dist('container'))});
const start = process.hrtime.bigint();
let bytes = 0;
if (mode.startsWith('floor')) {
  // floor-build: read + sha256 + write; floor-verify: read + sha256. Pipelined like build's copy
  // loop (three 1 MiB buffers: the next chunk is read while this one is hashed and the previous one
  // written), so the floor is the same byte work done as fast as raw node:fs allows, not a serial
  // loop that any overlap would beat.
  const CHUNK = 1 << 20;
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  const dir = join(agentDir, 'context/data');
  const sink = mode === 'floor-build' ? await open(out, 'w') : null;
  let pendingWrite = Promise.resolve();
  let which = 0;
  let position = 0;
  for (const name of (await readdir(dir)).sort()) {
    const fh = await open(join(dir, name));
    const sha = createHash('sha256');
    let offset = 0;
    let pendingRead = fh.read(buffers[which], 0, CHUNK, 0);
    for (;;) {
      const buf = buffers[which];
      const { bytesRead } = await pendingRead;
      if (bytesRead === 0) break;
      offset += bytesRead;
      which = (which + 1) % 3;
      pendingRead = fh.read(buffers[which], 0, CHUNK, offset);
      sha.update(buf.subarray(0, bytesRead));
      if (sink) {
        await pendingWrite;
        pendingWrite = sink.write(buf, 0, bytesRead, position);
        position += bytesRead;
      }
      bytes += bytesRead;
    }
    sha.digest();
    await fh.close();
  }
  await pendingWrite;
  if (sink) await sink.close();
} else if (mode === 'build') {
  const built = await container.buildContainer(agentDir, { out, signingKeys: [key], recipients: [recipient], env: { PATH: process.env.PATH }, resolve: { probeMcp: false } });
  bytes = built.index.entries.reduce((n, e) => n + e.size, 0);
} else {
  const v = await container.verifyContainer(out, { publicKeys: [pub] });
  bytes = v.index.entries.reduce((n, e) => n + e.size, 0);
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms, bytes, maxRssKiB: process.resourceUsage().maxRSS }));
`;

function child(mode, agentDir, out, keys) {
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', CHILD, mode, agentDir, out, keys.seed, keys.pub, keys.recipient],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`${mode} child exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout);
}

/** An agent directory with `mib` MiB of context in 16 MiB files of random bytes. */
function makeAgent(base, mib) {
  const dir = join(base, `agent-${mib}`);
  mkdirSync(join(dir, 'context/data'), { recursive: true });
  writeFileSync(join(dir, 'agent.yaml'), `name: bench-${mib}\nversion: 1.0.0\nmodels:\n  test-echo/demo: {}\n`);
  writeFileSync(join(dir, 'prompt.yaml'), 'version: 2\nsections:\n  - name: who_you_are\n    content: You measure.\n');
  const block = randomBytes(MiB);
  for (let f = 0; f < mib / 16; f++) {
    const fd = openSync(join(dir, `context/data/part-${String(f).padStart(3, '0')}.bin`), 'w');
    for (let i = 0; i < 16; i++) {
      block[0] = f;
      block[1] = i;
      writeSync(fd, block);
    }
    closeSync(fd);
  }
  return dir;
}

async function keysFor() {
  const { generateSigningKeyPair } = await import(dist('signing'));
  const { generateX25519Identity } = await import(dist('container'));
  const pair = generateSigningKeyPair();
  return { seed: pair.privateKey, pub: pair.publicKey, recipient: generateX25519Identity().recipient };
}

export async function run() {
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 3);
  const largeMiB = Number(process.env.AGENTLANG_BENCH_CONTAINER_MIB ?? 256);
  const base = mkdtempSync(join(tmpdir(), 'agentlang-bench-container-'));
  try {
    const keys = await keysFor();
    const small = makeAgent(base, 16);
    const large = makeAgent(base, largeMiB);
    const outSmall = join(base, 'small.agent');
    const outLarge = join(base, 'large.agent');
    // Warm the page cache (and the lock files) so every timed run reads from memory.
    child('floor-verify', large, outLarge, keys);
    child('build', large, outLarge, keys);
    child('build', small, outSmall, keys);
    const t = { floorBuild: [], floorVerify: [], build: [], verify: [] };
    const rss = { build: [], verify: [] };
    for (let i = 0; i < rounds; i++) {
      rmSync(outLarge, { force: true });
      t.floorBuild.push(child('floor-build', large, outLarge, keys).ms);
      rmSync(outLarge, { force: true });
      const b = child('build', large, outLarge, keys);
      t.build.push(b.ms);
      rss.build.push(b.maxRssKiB);
      const v = child('verify', large, outLarge, keys);
      t.verify.push(v.ms);
      rss.verify.push(v.maxRssKiB);
      t.floorVerify.push(child('floor-verify', large, outLarge, keys).ms);
    }
    const rssSmall = { build: [], verify: [] };
    for (let i = 0; i < rounds; i++) {
      rmSync(outSmall, { force: true });
      rssSmall.build.push(child('build', small, outSmall, keys).maxRssKiB);
      rssSmall.verify.push(child('verify', small, outSmall, keys).maxRssKiB);
    }
    const mbps = (ms) => (largeMiB * MiB) / 1e6 / (ms / 1000);
    const floorBuild = median(t.floorBuild);
    const floorVerify = median(t.floorVerify);
    const build = median(t.build);
    const verify = median(t.verify);
    const mib = (kib) => kib / 1024;
    const growth = (k) => mib(median(rss[k])) - mib(median(rssSmall[k]));
    return [
      row(SUITE, `floor: read+sha256+write of ${largeMiB} MiB`, {
        value: mbps(floorBuild).toFixed(0),
        unit: 'MB/s',
        note: `median ${floorBuild.toFixed(0)} ms over ${rounds} rounds`,
      }),
      row(SUITE, `floor: read+sha256 of ${largeMiB} MiB`, {
        value: mbps(floorVerify).toFixed(0),
        unit: 'MB/s',
        note: `median ${floorVerify.toFixed(0)} ms over ${rounds} rounds`,
      }),
      row(SUITE, `build ${largeMiB} MiB context (MB/s)`, {
        value: mbps(build).toFixed(0),
        unit: 'MB/s',
        ratio: floorBuild / build,
        target: '≥ 0.5 of read+sha256+write, ≥ 500 MB/s',
        pass: floorBuild / build >= 0.5 && mbps(build) >= 500,
        note: `median ${build.toFixed(0)} ms incl. load+resolve+lock+sign+write`,
      }),
      row(SUITE, `verify ${largeMiB} MiB context (MB/s)`, {
        value: mbps(verify).toFixed(0),
        unit: 'MB/s',
        ratio: floorVerify / verify,
        target: '≥ 0.5 of read+sha256',
        pass: floorVerify / verify >= 0.5,
        note: `median ${verify.toFixed(0)} ms`,
      }),
      row(SUITE, 'build peak RSS 16 MiB → large', {
        value: `${mib(median(rssSmall.build)).toFixed(0)} → ${mib(median(rss.build)).toFixed(0)}`,
        unit: 'MiB',
        target: 'growth < 32 MiB',
        pass: growth('build') < 32,
        note: `growth ${growth('build').toFixed(1)} MiB for ${largeMiB - 16} MiB more context`,
      }),
      row(SUITE, 'verify peak RSS 16 MiB → large', {
        value: `${mib(median(rssSmall.verify)).toFixed(0)} → ${mib(median(rss.verify)).toFixed(0)}`,
        unit: 'MiB',
        target: 'growth < 32 MiB',
        pass: growth('verify') < 32,
        note: `growth ${growth('verify').toFixed(1)} MiB`,
      }),
    ];
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
