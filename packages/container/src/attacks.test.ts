// Every attack here is tried for real against the reader, and must be refused with a clear,
// specific error before any entry content is handed out.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_PAYLOAD_TYPE } from '@agentlang/lock';
import { serializeEnvelope, signEnvelope } from '@agentlang/signing';
import { makeTempDir } from '@agentlang/test-helpers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ContainerIndex, serializeIndex } from './container-index.js';
import { ContainerError } from './errors.js';
import { generateX25519Identity } from './keys.js';
import { openContainer } from './open-container.js';
import { packContainer } from './pack-container.js';
import { walkContainer } from './read-container.js';
import { forgeHead, joinTar, makeSigningKey, rawTar, sampleAgent, splitTar } from './test-support.js';
import { unpackContainer } from './unpack-container.js';
import { verifyContainer } from './verify-container.js';

const key = makeSigningKey();
const id = generateX25519Identity();
let dir: string;
let small: string;
let smallBytes: Buffer;
let twin: string;

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ContainerError) return error.code;
    throw error;
  }
  return 'ACCEPTED';
}

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const verify = (file: string) => verifyContainer(file, { publicKeys: [key.pub] });

beforeAll(async () => {
  dir = makeTempDir();
  const input = sampleAgent(join(dir, 'agent'), {
    contextFiles: { 'context/a.md': 'alpha\n', 'context/b.md': 'bravo\n' },
  });
  small = join(dir, 'small.agent');
  twin = join(dir, 'twin.agent');
  await packContainer({ ...input, out: small, signingKeys: [key.seed], encryptTo: { recipients: [id.recipient] } });
  await packContainer({ ...input, out: twin, signingKeys: [key.seed], encryptTo: { recipients: [id.recipient] } });
  smallBytes = readFileSync(small);
});

/** The small container with entry `name`'s tar header replaced by raw fields. */
function withHeader(name: string, header: Record<string, unknown>): Buffer {
  return joinTar(splitTar(smallBytes).map((e) => (e.name === name ? { ...e, header } : e)));
}

describe('hostile tar entries', () => {
  it.each([
    ['a symbolic link', { type: '2', linkname: '/etc/passwd' }, 'CONTAINER_ENTRY_LINK'],
    ['a hard link', { type: '1', linkname: 'agent.yaml' }, 'CONTAINER_ENTRY_LINK'],
    ['a character device', { type: '3' }, 'CONTAINER_ENTRY_TYPE'],
    ['a block device', { type: '4' }, 'CONTAINER_ENTRY_TYPE'],
    ['a fifo', { type: '6' }, 'CONTAINER_ENTRY_TYPE'],
    ['a directory', { type: '5' }, 'CONTAINER_ENTRY_TYPE'],
    ['a pax extended header', { type: 'x' }, 'CONTAINER_ENTRY_TYPE'],
    ['a non-canonical mode', { mode: '0000755\0' }, 'CONTAINER_TAR_HEADER'],
    ['a non-zero mtime', { mtime: '14712345670\0' }, 'CONTAINER_TAR_HEADER'],
    ['a base-256 size', { sizeField: '\u0080\0\0\0\0\0\0\0\0\0\0\u0006' }, 'CONTAINER_TAR_HEADER'],
    ['a bad checksum', { checksum: '000000\0 ' }, 'CONTAINER_TAR_HEADER'],
  ])('refuses a context entry that is %s', async (_what, fields, expected) => {
    const bytes = withHeader('context/a.md', { name: 'context/a.md', size: 6, ...fields });
    expect(await code(verify(write('h.agent', bytes)))).toBe(expected);
  });

  it.each([
    ['../escape', 'a ".." segment'],
    ['context/../../etc/passwd', 'a ".." segment'],
    ['/etc/passwd', 'an absolute path'],
    ['context//a.md', 'an empty segment'],
    ['C:evil', 'a drive letter'],
    ['context\\a.md', 'a backslash'],
    ['context/\u0007bell', 'a control character'],
  ])('refuses the entry name %j (%s) in a tar header', async (name) => {
    const bytes = withHeader('context/a.md', { name, size: 6 });
    const err = await verify(write('n.agent', bytes)).catch((e: ContainerError) => e);
    expect(err).toBeInstanceOf(ContainerError);
    expect((err as ContainerError).code).toBe('CONTAINER_ENTRY_NAME');
    expect((err as ContainerError).message).toContain('unsafe entry name');
  });

  it('refuses a symbolic link as the very first entry (not a container at all)', async () => {
    const bytes = rawTar([
      { header: { name: 'manifest.json', size: 0, type: '2', linkname: '/etc/shadow' }, data: new Uint8Array() },
    ]);
    expect(await code(verify(write('l.agent', bytes)))).toBe('CONTAINER_ENTRY_LINK');
  });

  it('refuses an oversized entry before reading it', async () => {
    const bytes = rawTar([{ header: { name: 'manifest.json', size: 0o77777777777 }, data: Buffer.from('{}') }], {
      endMarker: true,
    });
    // The header claims 8 GiB; the check happens on the declared size, not by reading.
    const fixed = Buffer.from(bytes);
    expect(await code(verify(write('big.agent', fixed)))).toBe('CONTAINER_ENTRY_TOO_LARGE');
    const sigBig = withHeader('signature.sig', { name: 'signature.sig', size: 300 * 1024 });
    expect(await code(verify(write('big2.agent', sigBig)))).toBe('CONTAINER_ENTRY_TOO_LARGE');
  });

  it('refuses a context entry whose size differs from the signed index', async () => {
    const entries = splitTar(smallBytes).map((e) =>
      e.name === 'context/a.md' ? { ...e, data: Buffer.from('alpha!\n') } : e,
    );
    expect(await code(verify(write('s.agent', joinTar(entries))))).toBe('CONTAINER_ENTRY_MISMATCH');
  });

  it('refuses an entry the index does not list, and a duplicate of a listed one', async () => {
    const entries = splitTar(smallBytes);
    const extra = joinTar([...entries, { name: 'context/zz.md', data: Buffer.from('sneaky') }]);
    expect(await code(verify(write('u.agent', extra)))).toBe('CONTAINER_ENTRY_UNLISTED');
    const dup = joinTar([...entries, entries.at(-1)!]);
    expect(await code(verify(write('d.agent', dup)))).toBe('CONTAINER_ENTRY_UNLISTED');
  });
});

describe('hostile indexes (validly signed, so only the parser stands in the way)', () => {
  const forged = (mutate: (index: ContainerIndex) => void): Buffer => {
    const entries = splitTar(smallBytes);
    const index = JSON.parse(entries[0]!.data.toString()) as ContainerIndex;
    mutate(index);
    return joinTar([...forgeHead(index, key.seed), ...entries.slice(2)]);
  };

  it('refuses duplicate names', async () => {
    const bytes = forged((ix) => ix.entries.push({ ...ix.entries.at(-1)! }));
    expect(await code(verify(write('dup.agent', bytes)))).toBe('CONTAINER_ENTRY_DUPLICATE');
  });

  it.each([
    ['Unicode normalisation (NFC vs NFD)', 'context/caf\u00e9.md', 'context/cafe\u0301.md'],
    ['case folding', 'context/README.md', 'context/readme.md'],
    ['case folding of ß/SS', 'context/STRASSE.md', 'context/straße.md'],
  ])('refuses names that collide under %s', async (_what, a, b) => {
    const bytes = forged((ix) => {
      const base = ix.entries.filter((e) => e.kind !== 'context');
      const [first, second] = [a, b].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      ix.entries = [
        ...base,
        { path: first!, kind: 'context', size: 1, sha256: `sha256:${'1'.repeat(64)}` },
        { path: second!, kind: 'context', size: 1, sha256: `sha256:${'2'.repeat(64)}` },
      ];
    });
    const err = await verify(write('nfc.agent', bytes)).catch((e: ContainerError) => e);
    expect((err as ContainerError).code).toBe('CONTAINER_ENTRY_DUPLICATE');
    expect((err as ContainerError).message).toMatch(/collides/);
  });

  it.each([['../../etc/cron.d/x'], ['/abs'], ['context/../x']])('refuses the unsafe indexed path %j', async (path) => {
    const bytes = forged((ix) => {
      ix.entries.at(-1)!.path = path;
    });
    expect(await code(verify(write('p.agent', bytes)))).toBe('CONTAINER_ENTRY_NAME');
  });

  it('refuses a non-canonical index even when it is validly signed', async () => {
    const entries = splitTar(smallBytes);
    const pretty = Buffer.from(JSON.stringify(JSON.parse(entries[0]!.data.toString()), null, 1));
    const bytes = joinTar([...forgeHead(pretty, key.seed), ...entries.slice(2)]);
    expect(await code(verify(write('pretty.agent', bytes)))).toBe('CONTAINER_INDEX_INVALID');
  });
});

describe('damaged archives', () => {
  it('refuses every truncation', async () => {
    const seen = new Set<string>();
    for (let cut = 0; cut < smallBytes.length; cut += 97) {
      seen.add(await code(verify(write('t.agent', smallBytes.subarray(0, cut)))));
    }
    seen.add(await code(verify(write('t.agent', smallBytes.subarray(0, smallBytes.length - 1)))));
    expect([...seen]).toEqual(['CONTAINER_TRUNCATED']);
  });

  it('refuses trailing garbage, even zero bytes', async () => {
    expect(await code(verify(write('g.agent', Buffer.concat([smallBytes, Buffer.from('x')]))))).toBe(
      'CONTAINER_TRAILING_DATA',
    );
    expect(await code(verify(write('z.agent', Buffer.concat([smallBytes, Buffer.alloc(10240)]))))).toBe(
      'CONTAINER_TRAILING_DATA',
    );
  });

  it('refuses a flip of each single byte of a small container', async () => {
    expect(await code(verify(small))).toBe('ACCEPTED');
    const path = join(dir, 'flip.agent');
    const codes = new Map<string, number>();
    const accepted: number[] = [];
    const copy = Buffer.from(smallBytes);
    for (let i = 0; i < copy.length; i++) {
      // Alternate the flipped bit so both low and high bits are exercised across the file.
      copy[i] = smallBytes[i]! ^ (i % 2 === 0 ? 0x01 : 0x80);
      writeFileSync(path, copy);
      const c = await code(verify(path));
      if (c === 'ACCEPTED') accepted.push(i);
      codes.set(c, (codes.get(c) ?? 0) + 1);
      copy[i] = smallBytes[i]!;
    }
    expect(accepted).toEqual([]);
    expect(smallBytes.length).toBeGreaterThan(5000);
    expect([...codes.keys()].every((c) => c.startsWith('CONTAINER_'))).toBe(true);
  }, 300_000);
});

describe('swaps, keys and secrets', () => {
  it('refuses an entry swapped in from another validly signed container', async () => {
    const mine = splitTar(smallBytes);
    const theirs = splitTar(readFileSync(twin));
    const swapPrompt = joinTar(
      mine.map((e) => (e.name === 'prompt.yaml.enc' ? theirs.find((t) => t.name === e.name)! : e)),
    );
    expect(theirs.find((t) => t.name === 'prompt.yaml.enc')!.data.length).toBe(
      mine.find((t) => t.name === 'prompt.yaml.enc')!.data.length,
    );
    expect(await code(verify(write('swap1.agent', swapPrompt)))).toBe('CONTAINER_DIGEST_MISMATCH');
    const swapHead = joinTar([...theirs.slice(0, 2), ...mine.slice(2)]);
    expect(await code(verify(write('swap2.agent', swapHead)))).toBe('CONTAINER_DIGEST_MISMATCH');
  });

  it('refuses a container signed by an untrusted key, and an unsigned one when a key is required', async () => {
    const stranger = makeSigningKey();
    const err = await verifyContainer(small, { publicKeys: [stranger.pub] }).catch((e: ContainerError) => e);
    expect((err as ContainerError).code).toBe('CONTAINER_SIGNATURE_INVALID');
    expect((err as ContainerError).message).toContain('do not trust');
    const entries = splitTar(smallBytes);
    const resigned = joinTar([...forgeHead(entries[0]!.data, stranger.seed), ...entries.slice(2)]);
    expect(await code(verify(write('stranger.agent', resigned)))).toBe('CONTAINER_SIGNATURE_INVALID');
    const unsignedPath = join(dir, 'unsigned.agent');
    await packContainer({
      ...sampleAgent(join(dir, 'agent2')),
      out: unsignedPath,
      encryptTo: { recipients: [id.recipient] },
    });
    expect(await code(verify(unsignedPath))).toBe('CONTAINER_UNSIGNED');
    expect((await walkContainer(unsignedPath)).signature.state).toBe('unsigned');
  });

  it('never accepts a lock signature (same key, same bytes) as a container signature', async () => {
    const entries = splitTar(smallBytes);
    const lockSig = Buffer.from(
      serializeEnvelope(signEnvelope(LOCK_PAYLOAD_TYPE, entries[0]!.data, [{ privateKey: key.seed }])),
    );
    const bytes = joinTar([entries[0]!, { name: 'signature.sig', data: lockSig }, ...entries.slice(2)]);
    const err = await verify(write('lock.agent', bytes)).catch((e: ContainerError) => e);
    expect((err as ContainerError).code).toBe('CONTAINER_SIGNATURE_MALFORMED');
    expect((err as ContainerError).message).toContain('never accepted');
  });

  it('refuses a wrong identity and a wrong passphrase', async () => {
    const other = generateX25519Identity();
    const err = await openContainer(small, { publicKeys: [key.pub], identity: other.identity }).catch(
      (e: ContainerError) => e,
    );
    expect((err as ContainerError).code).toBe('CONTAINER_DECRYPT_NO_MATCH');
    expect((err as ContainerError).message).toContain(id.keyId);
    const pass = join(dir, 'pass.agent');
    await packContainer({
      ...sampleAgent(join(dir, 'agent3')),
      out: pass,
      signingKeys: [key.seed],
      encryptTo: { passphrase: 'right horse', scrypt: { N: 1024, r: 8, p: 1 } },
    });
    expect(await code(openContainer(pass, { publicKeys: [key.pub], passphrase: 'wrong horse' }))).toBe(
      'CONTAINER_DECRYPT_NO_MATCH',
    );
    expect(await code(openContainer(pass, { publicKeys: [key.pub], requireDecryption: true }))).toBe(
      'CONTAINER_DECRYPT_NO_MATCH',
    );
    const undecrypted = await openContainer(pass, { publicKeys: [key.pub] });
    expect(undecrypted.prompt).toBeNull();
    expect(undecrypted.files['prompt.yaml']).toBeUndefined();
    expect((await openContainer(pass, { publicKeys: [key.pub], passphrase: 'right horse' })).prompt).toContain(
      'careful',
    );
  });

  it('leaves nothing behind when unpacking a tampered container, and never writes into a non-empty directory', async () => {
    const tampered = Buffer.from(smallBytes);
    tampered[tampered.length - 1100] = tampered[tampered.length - 1100]! ^ 1;
    const target = join(dir, 'out-tampered');
    expect(await code(unpackContainer(write('tampered.agent', tampered), target, { publicKeys: [key.pub] }))).not.toBe(
      'ACCEPTED',
    );
    expect(existsSync(target)).toBe(false);
    expect(await code(unpackContainer(small, join(dir, 'agent'), { publicKeys: [key.pub] }))).toBe(
      'CONTAINER_UNPACK_TARGET',
    );
  });
});

describe('index serialisation', () => {
  it('round-trips through the strict parser', async () => {
    const { index } = await walkContainer(small);
    expect(serializeIndex(index).equals(splitTar(smallBytes)[0]!.data)).toBe(true);
  });
});

describe('inputs that are not containers', () => {
  it('a directory or a YAML manifest is named for what it is, with what to do (never EISDIR, never "truncated")', async () => {
    const { inspectContainer } = await import('./inspect-container.js');
    const dir = makeTempDir('not-a-container-');
    const yaml = join(dir, 'demo.agent');
    writeFileSync(yaml, 'apiVersion: agent/v1\nname: demo\nversion: 0.1.0\n');
    for (const run of [() => inspectContainer(dir), () => verifyContainer(dir, { publicKeys: [key.pub] })]) {
      const error = (await run().catch((e: unknown) => e)) as ContainerError;
      expect(error.code).toBe('CONTAINER_NOT_A_CONTAINER');
      expect(error.message).toMatch(/is a directory, not a container; .*agentlang build/);
    }
    for (const run of [() => inspectContainer(yaml), () => verifyContainer(yaml, { publicKeys: [key.pub] })]) {
      const error = (await run().catch((e: unknown) => e)) as ContainerError;
      expect(error.code).toBe('CONTAINER_NOT_A_CONTAINER');
      expect(error.message).toMatch(/is a text file \(a YAML manifest\?\), not a container.*agentlang validate/);
    }
  });
});
