// verify-lock throughput, in process: signed lock bytes → verifyLock (strict envelope parse,
// payload-type check, DSSE PAE, Ed25519 verify through node:crypto, strict lock parse).
// Floor, same run: raw node:crypto Ed25519 verify of the same PAE bytes with a prebuilt KeyObject,
// i.e. the signature check alone. The ratio verifyLock/floor says what the format costs on top.
import { createPublicKey, verify } from 'node:crypto';
import { createLock, serializeLock, signLock, verifyLock } from '@agentlang/lock';
import { generateSigningKeyPair, parseEnvelope, preAuthEncoding } from '@agentlang/signing';
import { median, row } from '../harness.js';

const hex = (n, c) => `${c}`.repeat(64).slice(0, 64).replace(/^.{4}/, n.toString(16).padStart(4, '0'));

/** A plan shaped like the resolve bench's agent: `tools` catalog tools and `agents` sub-agents. */
function plan(tools, agents) {
  return {
    schema: 'agentlang.plan/v1',
    agent: { name: 'demo', version: '0.1.0', digest: `ag1:${hex(0, 'a')}`, dialect: 'agentspec' },
    runtime: { name: 'test-echo', binary: 'echo', available: true },
    model: 'test-echo/demo',
    authSource: 'local socket',
    tools: Array.from({ length: tools }, (_, i) => ({
      name: `tool_${String(i).padStart(3, '0')}`,
      constraint: '^1.0.0',
      version: '1.1.0',
      source: 'catalog:/srv/catalog',
      integrity: `sha256:${hex(i, 'b')}`,
    })),
    models: { 'test-echo/demo': { provider: 'test-echo', known: true } },
    mcpServers: [],
    dependencies: [],
    permissions: { host: 'raw-os', required: [], optional: [], granted: [], degraded: [] },
    subAgents: Array.from({ length: agents }, (_, i) => ({
      name: `specialist-${i}`,
      path: `specialists/specialist-${i}.yaml`,
      digest: `ag1:${hex(i, 'c')}`,
      version: '1.0.0',
      depth: 1,
      parent: 'demo',
    })),
    systemPromptSha256: `sha256:${hex(0, 'd')}`,
    files: [{ path: 'demo.agent', sha256: `sha256:${hex(0, 'e')}` }],
    host: { os: 'linux', arch: 'x86_64' },
    warnings: [],
    missing: [],
    decisions: [],
  };
}

/** Operations per second of `fn`, measured over ~`ms` milliseconds. */
function opsPerSecond(fn, ms) {
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}

function measure(label, lockPlan) {
  const keys = generateSigningKeyPair();
  const signed = signLock(createLock(lockPlan, { manifestPath: 'demo.agent' }), [keys]);
  const envelope = parseEnvelope(signed);
  const pae = preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  const sig = Buffer.from(envelope.signatures[0].sig, 'base64');
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(keys.publicKey, 'hex')]),
    format: 'der',
    type: 'spki',
  });
  const publicKeys = [keys.publicKey];
  if (!verify(null, pae, key, sig) || verifyLock(signed, { publicKeys }).lock.manifest.name !== 'demo')
    throw new Error('setup failed');
  const floor = [];
  const ours = [];
  // Warm up both, then interleave rounds so machine noise hits each alike.
  opsPerSecond(() => verify(null, pae, key, sig), 200);
  opsPerSecond(() => verifyLock(signed, { publicKeys }), 200);
  for (let round = 0; round < 7; round++) {
    floor.push(opsPerSecond(() => verify(null, pae, key, sig), 250));
    ours.push(opsPerSecond(() => verifyLock(signed, { publicKeys }), 250));
  }
  const f = median(floor);
  const o = median(ours);
  const bytes = serializeLock(createLock(lockPlan, { manifestPath: 'demo.agent' })).length;
  return [
    row('lock', `raw node:crypto Ed25519 verify (${label} PAE)`, { value: Math.round(f), unit: 'ops/s' }),
    row('lock', `verifyLock ${label} (${bytes} B payload)`, {
      value: Math.round(o),
      unit: 'ops/s',
      ratio: o / f,
      target: label === 'demo lock' ? '≥ 0.5 of raw verify' : undefined,
      pass: label === 'demo lock' ? o / f >= 0.5 : undefined,
      note: `${(1e6 / o).toFixed(1)} µs per verify-lock vs ${(1e6 / f).toFixed(1)} µs raw signature check`,
    }),
  ];
}

export async function run() {
  return [...measure('demo lock', plan(0, 0)), ...measure('200 tools + 20 sub-agents', plan(200, 20))];
}
