import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { loadAgent, loadAgentFromFiles, loadSubAgent } from './load.js';

const TREE = {
  'agent.yaml': 'name: lead\nversion: 1.0.0\ndescription: d\ndelegate:\n  agents:\n    - ./team/analyst.yaml\n',
  'team/analyst.yaml': 'name: analyst\ndescription: a\nskills:\n  - name: sums\ntools:\n  - name: sqlite\n',
  'team/skills/sums/SKILL.md': '---\nname: sums\ndescription: adds\nallowed-tools: [sqlite]\n---\nAdd.\n',
};

function filesOf(dir: string): Record<string, Uint8Array> {
  return Object.fromEntries(Object.keys(TREE).map((rel) => [rel, new Uint8Array(readFileSync(join(dir, rel)))]));
}

describe('loadSubAgent', () => {
  it('reads a sub-agent of an in-memory agent from the same files, rooted at its own directory: the digest is the one loaded from disk', async () => {
    const dir = writeTree(makeTempDir('manifest-sub-'), TREE);
    const fromDisk = await loadAgent(join(dir, 'team/analyst.yaml'), { partial: true });
    const parent = await loadAgentFromFiles(filesOf(dir), { label: join(dir, 'elsewhere.agent') });
    const sub = await loadSubAgent(parent, 'team/analyst.yaml');
    expect(sub.digest).toBe(fromDisk.digest);
    expect(sub.source).toEqual({ kind: 'memory', root: join(dir, 'elsewhere.agent', 'team'), entry: 'analyst.yaml' });
    expect(sub.files.map((f) => f.path)).toEqual(fromDisk.files.map((f) => f.path));
    // A directory parent reads from the disk, as before.
    expect((await loadSubAgent(await loadAgent(dir), 'team/analyst.yaml')).digest).toBe(fromDisk.digest);
    expect(relative(dir, (await loadSubAgent(await loadAgent(dir), 'team/analyst.yaml')).source.root)).toBe('team');
  });

  it('never falls back to the host: a missing in-memory file, an escaping path or a copy that lost its files is an error', async () => {
    const dir = writeTree(makeTempDir('manifest-sub-'), {
      ...TREE,
      'other.yaml': 'name: other\ndescription: on the host only\n',
    });
    const parent = await loadAgentFromFiles(filesOf(dir), { label: dir });
    await expect(loadSubAgent(parent, 'other.yaml')).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
    await expect(loadSubAgent(parent, '../x.yaml')).rejects.toMatchObject({ code: 'MANIFEST_PATH_ESCAPE' });
    await expect(loadSubAgent({ ...parent }, 'team/analyst.yaml')).rejects.toMatchObject({
      code: 'MANIFEST_NOT_FOUND',
    });
    // The files are not enumerable: never serialised, never compared.
    expect(JSON.stringify(parent)).not.toContain('memory-files');
  });
});
