import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { expect, it } from 'vitest';
import { ContainerError } from './errors.js';
import { listTarEntries } from './list-tar-entries.js';
import { packContainer } from './pack-container.js';
import { makeSigningKey, rawTar, sampleAgent } from './test-support.js';

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (e instanceof ContainerError ? e.code : String(e)),
  );

it('lists every entry of a built container with the offset and size of its content', async () => {
  const dir = makeTempDir();
  const out = join(dir, 'demo.agent');
  const input = sampleAgent(join(dir, 'agent'), { contextFiles: { 'context/notes.md': 'hello notes' } });
  await packContainer({
    ...input,
    out,
    signingKeys: [makeSigningKey().seed],
    encryptTo: { passphrase: 'hunter2', scrypt: { N: 1024, r: 8, p: 1 } },
  });
  const spans = await listTarEntries(out);
  expect(spans.map((s) => s.path)).toEqual([
    'manifest.json',
    'signature.sig',
    'agent.yaml',
    'prompt.yaml.enc',
    'agent.lock',
    'ux.yaml',
    'context/notes.md',
  ]);
  const bytes = readFileSync(out);
  const notes = spans.at(-1)!;
  expect(bytes.subarray(notes.offset, notes.offset + notes.size).toString()).toBe('hello notes');
});

it('refuses what the strict reader refuses: links, trailing bytes, truncation', async () => {
  const dir = makeTempDir();
  const write = (name: string, bytes: Buffer): string => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  const file = { header: { name: 'agent.yaml', size: 3 }, data: Buffer.from('a:1') };
  const link = { header: { name: 'evil', size: 0, type: '2', linkname: '/etc/passwd' }, data: Buffer.alloc(0) };
  expect(await codeOf(listTarEntries(write('ok.agent', rawTar([file]))))).toBeUndefined();
  expect(await codeOf(listTarEntries(write('link.agent', rawTar([file, link]))))).toBe('CONTAINER_ENTRY_LINK');
  expect(
    await codeOf(listTarEntries(write('trailing.agent', Buffer.concat([rawTar([file]), Buffer.alloc(512, 1)])))),
  ).toBe('CONTAINER_TRAILING_DATA');
  expect(await codeOf(listTarEntries(write('short.agent', rawTar([file], { endMarker: false }))))).toBe(
    'CONTAINER_TRUNCATED',
  );
});
