// The registry (issue 6) against a bare `node:http` server serving the same bytes, both as child
// processes on 127.0.0.1, measured interleaved in one run:
//   pull throughput  GET of a 64 MiB container (registry: from its content-addressed store on disk;
//                    bare: the faster of `res.end(buffer)` from memory and a 1 MiB-chunk file stream)
//                    — MB/s, target ≥ 0.5 × bare
//   small requests   GET of a small YAML manifest with 50 concurrent keep-alive clients — req/s,
//                    target ≥ 0.5 × bare; and p99 latency at 50 concurrent clients (reported)
// All loops are bounded (fixed request counts). AGENTLANG_BENCH_ROUNDS sets the rounds (default 5).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, percentile, root, row } from '../harness.js';

const SUITE = 'registry';
const dist = (pkg) => pathToFileURL(join(root, `packages/${pkg}/dist/index.js`)).href;

const SMALL = `apiVersion: agent/v1
name: demo
version: 0.1.0
description: "End-to-end pipeline walkthrough"

runtime: test-echo
model:
  preferred:
    - test-echo/demo
`;

/** Starts a child node process running `source` (ESM); resolves with the URL it prints on stdout. */
function startChild(source, env = {}) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
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

/** GETs `path` `count` times over `concurrency` keep-alive connections; returns per-request ms and total s. */
async function load(url, path, { count, concurrency }) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(path, url);
  const latencies = [];
  let next = 0;
  let bytes = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      request(target, { agent }, (res) => {
        res.on('data', (c) => (bytes += c.length));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${target} → ${res.statusCode}`));
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
          resolve();
        });
      })
        .on('error', reject)
        .end();
    });
  const worker = async () => {
    while (next < count) {
      next++;
      await one();
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return { latencies, seconds, bytes };
}

export async function run() {
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 5);
  const work = mkdtempSync(join(tmpdir(), 'agentlang-bench-registry-'));
  const children = [];
  try {
    // A real 64 MiB container (random context, so nothing compresses or dedups).
    const { packContainer } = await import(dist('container'));
    const { loadAgentFromFiles } = await import(dist('manifest'));
    const bigYaml = Buffer.from(SMALL.replace('name: demo', 'name: big').replace('0.1.0', '1.0.0'));
    const loaded = await loadAgentFromFiles({ 'agent.yaml': bigYaml }, { entry: 'agent.yaml' });
    mkdirSync(join(work, 'ctx'));
    writeFileSync(join(work, 'ctx/data.bin'), randomBytes(64 << 20));
    const big = join(work, 'big.agent');
    await packContainer({
      agent: { name: 'big', version: '1.0.0', digest: loaded.digest, dialect: loaded.manifest.dialect },
      entry: 'agent.yaml',
      sources: [{ path: 'agent.yaml', bytes: bigYaml }],
      lock: Buffer.from('{}\n'),
      contextDir: join(work, 'ctx'),
      out: big,
    });
    rmSync(join(work, 'ctx'), { recursive: true });
    writeFileSync(join(work, 'demo.agent'), SMALL);

    const registry = await startChild(
      `const { startRegistry } = await import(${JSON.stringify(dist('registry'))});
       const r = await startRegistry({ bind: '127.0.0.1:0', dataDir: ${JSON.stringify(join(work, 'data'))}, apiKeys: 'alice:alice-key' });
       console.log('URL ' + r.url);`,
    );
    children.push(registry.child);
    const bare = await startChild(
      `import { createServer } from 'node:http';
       import { createReadStream, readFileSync } from 'node:fs';
       const big = readFileSync(${JSON.stringify(big)});
       const small = readFileSync(${JSON.stringify(join(work, 'demo.agent'))});
       const server = createServer((req, res) => {
         if (req.url === '/big-file') {
           res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': big.length });
           createReadStream(${JSON.stringify(big)}, { highWaterMark: 1 << 20 }).pipe(res);
           return;
         }
         const body = req.url === '/big' ? big : small;
         res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
         res.end(body);
       });
       server.keepAliveTimeout = 5000;
       server.listen(0, '127.0.0.1', () => console.log('URL http://127.0.0.1:' + server.address().port));`,
    );
    children.push(bare.child);

    const { RegistryClient } = await import(dist('registry-client'));
    const client = new RegistryClient({ url: registry.url, apiKey: 'alice-key' });
    await client.push(big);
    await client.push(join(work, 'demo.agent'));
    const bigSize = readFileSync(big).length;
    const bigSha = createHash('sha256').update(readFileSync(big)).digest('hex');
    const meta = await client.meta('alice/big@1.0.0');
    if (meta.sha256 !== bigSha) throw new Error('pushed container digest differs');

    const targets = {
      registry: [registry.url, '/v1/agents/alice/big/1.0.0', '/v1/agents/alice/demo/0.1.0'],
      bare: [bare.url, '/big', '/small'],
      bareFile: [bare.url, '/big-file', null],
    };
    const mbps = { registry: [], bare: [], bareFile: [] };
    const rps = { registry: [], bare: [] };
    const lat = { registry: [], bare: [] };
    for (let i = 0; i < rounds + 1; i++) {
      for (const [label, [url, bigPath, smallPath]] of Object.entries(targets)) {
        const pull = await load(url, bigPath, { count: 4, concurrency: 1 });
        if (pull.bytes !== 4 * bigSize)
          throw new Error(`${label}: received ${pull.bytes} bytes, expected ${4 * bigSize}`);
        if (i > 0) mbps[label].push(pull.bytes / 1e6 / pull.seconds);
        if (!smallPath) continue;
        const small = await load(url, smallPath, { count: 4000, concurrency: 50 });
        if (i === 0) continue; // warm-up round
        rps[label].push(4000 / small.seconds);
        lat[label].push(...small.latencies);
      }
    }
    // The floor is the faster of the two bare variants (whole buffer from memory, or a file stream).
    const tp = { registry: median(mbps.registry), bare: Math.max(median(mbps.bare), median(mbps.bareFile)) };
    const rate = { registry: median(rps.registry), bare: median(rps.bare) };
    const p99 = { registry: percentile(lat.registry, 99), bare: percentile(lat.bare, 99) };
    const tpRatio = tp.registry / tp.bare;
    const rateRatio = rate.registry / rate.bare;
    return [
      row(SUITE, 'pull 64 MiB container: bare node:http (MB/s)', {
        value: tp.bare.toFixed(0),
        unit: 'MB/s',
        note: `faster of res.end(buffer) ${median(mbps.bare).toFixed(0)} MB/s and a 1 MiB file stream ${median(mbps.bareFile).toFixed(0)} MB/s`,
      }),
      row(SUITE, 'pull 64 MiB container: registry (MB/s)', {
        value: tp.registry.toFixed(0),
        unit: 'MB/s',
        ratio: tpRatio,
        target: '≥ 0.5',
        pass: tpRatio >= 0.5,
      }),
      row(SUITE, 'small GET, 50 clients: bare node:http (req/s)', { value: rate.bare.toFixed(0), unit: 'req/s' }),
      row(SUITE, 'small GET, 50 clients: registry (req/s)', {
        value: rate.registry.toFixed(0),
        unit: 'req/s',
        ratio: rateRatio,
        target: '≥ 0.5',
        pass: rateRatio >= 0.5,
      }),
      row(SUITE, 'p99 latency, 50 clients: bare node:http', { value: p99.bare.toFixed(1), unit: 'ms' }),
      row(SUITE, 'p99 latency, 50 clients: registry', {
        value: p99.registry.toFixed(1),
        unit: 'ms',
        ratio: p99.registry / p99.bare,
        note: `${rounds} rounds × 4000 requests each; ratio is registry/bare (lower is better)`,
      }),
    ];
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}
