// Helpers for this package's tests only (not exported from index.ts): keys, a sample agent, and a
// raw tar writer that can produce any header a hostile archive could hold.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ed25519Hex } from '@agentlang/test-helpers';
import { type ContainerIndex, serializeIndex } from './container-index.js';
import { signatureFileBytes } from './envelope.js';
import { BLOCK, paddingFor } from './tar-header.js';

/** A fresh Ed25519 key pair as hex (32-byte seed, 32-byte public key). */
export function makeSigningKey(): { seed: string; pub: string } {
  const { seed, publicKey } = ed25519Hex();
  return { seed, pub: publicKey };
}

/** Fields of a raw tar header; anything omitted gets the canonical value. */
export interface RawHeader {
  name: string;
  size: number;
  type?: string;
  linkname?: string;
  mode?: string;
  mtime?: string;
  prefix?: string;
  magic?: string;
  sizeField?: string;
  checksum?: string;
}

/** Encodes a tar header from raw field values, with a correct checksum unless one is given. */
export function rawHeader(h: RawHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  const put = (offset: number, length: number, text: string, encoding: BufferEncoding = 'utf8'): void => {
    Buffer.from(text, encoding).copy(block, offset, 0, length);
  };
  put(0, 100, h.name);
  put(100, 8, h.mode ?? '0000644\0');
  put(108, 8, '0000000\0');
  put(116, 8, '0000000\0');
  put(124, 12, h.sizeField ?? `${h.size.toString(8).padStart(11, '0')}\0`);
  put(136, 12, h.mtime ?? '00000000000\0');
  block.fill(0x20, 148, 156);
  put(156, 1, h.type ?? '0');
  put(157, 100, h.linkname ?? '');
  put(257, 8, h.magic ?? 'ustar\x0000', 'latin1');
  put(329, 8, '0000000\0');
  put(337, 8, '0000000\0');
  put(345, 155, h.prefix ?? '');
  let sum = 0;
  for (const b of block) sum += b;
  put(148, 8, h.checksum ?? `${sum.toString(8).padStart(6, '0')}\0 `, 'latin1');
  return block;
}

/** One raw entry: a header and content. */
export interface RawEntry {
  header: RawHeader;
  data: Uint8Array;
}

/** Serialises raw entries into a tar (each padded, then the two-block end marker). */
export function rawTar(entries: RawEntry[], options: { endMarker?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries)
    parts.push(rawHeader(e.header), Buffer.from(e.data), Buffer.alloc(paddingFor(e.data.length)));
  if (options.endMarker ?? true) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** Splits one of our containers into raw entries (name from the header, content). */
export function splitTar(bytes: Buffer): Array<{ name: string; data: Buffer }> {
  const out: Array<{ name: string; data: Buffer }> = [];
  let at = 0;
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const cut = (o: number, l: number): string => {
      const f = header.subarray(o, o + l);
      const n = f.indexOf(0);
      return (n === -1 ? f : f.subarray(0, n)).toString('utf8');
    };
    const prefix = cut(345, 155);
    const name = prefix ? `${prefix}/${cut(0, 100)}` : cut(0, 100);
    const size = Number.parseInt(cut(124, 12), 8);
    out.push({ name, data: bytes.subarray(at + BLOCK, at + BLOCK + size) });
    at += BLOCK + size + paddingFor(size);
  }
  return out;
}

/** Joins entries back into a tar the way the builder does. */
export function joinTar(entries: Array<{ name: string; data: Uint8Array; header?: Partial<RawHeader> }>): Buffer {
  return rawTar(entries.map((e) => ({ header: { name: e.name, size: e.data.length, ...e.header }, data: e.data })));
}

/** Re-signs a (possibly hostile) index with `seed` and returns manifest.json and signature.sig entries. */
export function forgeHead(index: ContainerIndex | Buffer, seed: string): Array<{ name: string; data: Buffer }> {
  const bytes = Buffer.isBuffer(index) ? index : serializeIndex(index);
  const sig = signatureFileBytes(bytes, [seed]);
  return [
    { name: 'manifest.json', data: bytes },
    { name: 'signature.sig', data: sig },
  ];
}

/** Writes a small sample agent tree (sources, prompt, lock, context) and returns pack inputs for it. */
export function sampleAgent(
  dir: string,
  options: { promptText?: string; contextFiles?: Record<string, string | Uint8Array> } = {},
) {
  const files: Record<string, string | Uint8Array> = {
    'agent.yaml': 'name: demo\nversion: 1.0.0\ntools:\n  - name: web_search\n',
    'prompt.yaml':
      options.promptText ??
      'version: 2\nsections:\n  - name: who_you_are\n    content: |\n      You are a careful researcher. Use web_search.\n',
    'agent.lock': '{"schema":"agentlang.lock/v1"}\n',
    'ux.yaml': 'suggestions:\n  - "Help me"\n',
    ...Object.fromEntries(Object.entries(options.contextFiles ?? { 'context/templates/report.md': '# Report\n' })),
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  const bytes = (rel: string): Uint8Array => Buffer.from(files[rel] as string);
  return {
    agent: { name: 'demo', version: '1.0.0', digest: `ag1:${'a'.repeat(64)}`, dialect: 'agentlang' },
    entry: 'agent.yaml',
    sources: [
      { path: 'agent.yaml', bytes: bytes('agent.yaml') },
      { path: 'ux.yaml', bytes: bytes('ux.yaml') },
    ],
    prompt: bytes('prompt.yaml'),
    lock: bytes('agent.lock'),
    contextDir: join(dir, 'context'),
  };
}
