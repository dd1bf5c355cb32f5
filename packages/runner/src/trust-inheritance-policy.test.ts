import { rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type IsolationPolicy, policyFromTrust } from '@agentlang/isolation';
import { loadAgent } from '@agentlang/manifest';
import { makeTempDir, writeTree } from '@agentlang/test-helpers';
import { afterAll, describe, expect, test } from 'vitest';

// Issue 9 item 3, carried to the sandbox: for every child the manifest loader accepts over a base,
// the isolation policy built from the merged trust grants nothing the base's policy does not —
// no path bound read-write that the base does not bind read-write, no path readable that the base
// does not make readable, no host passthrough, no more network or exec. (The run's workdir is left
// out: policyFromTrust binds it for every level, read-write under `none` and read-only under
// `read-only`; that mapping is isolation's and is reported to the lead.)

const NETWORK = ['none', 'scoped', 'allowed'];
const EXEC = ['none', 'sandboxed', 'full'];
const FS = ['none', 'read-only', 'scoped', 'full'];

const root = makeTempDir();
afterAll(() => rmSync(root, { recursive: true, force: true }));
const workdir = join(root, 'work');

const inside = (p: string, outer: string) => p === outer || p.startsWith(outer.endsWith(sep) ? outer : outer + sep);
const paths = (policy: IsolationPolicy, which: 'readOnly' | 'readWrite') =>
  policy.filesystem[which].filter((p) => p !== policy.workdir);

function grants(child: IsolationPolicy, base: IsolationPolicy): string[] {
  const wider: string[] = [];
  if (child.filesystem.mode === 'full' && base.filesystem.mode !== 'full') wider.push('host passthrough');
  if (base.filesystem.mode !== 'full') {
    const baseWrite = paths(base, 'readWrite');
    const baseRead = [...paths(base, 'readOnly'), ...baseWrite];
    for (const p of paths(child, 'readWrite'))
      if (!baseWrite.some((b) => inside(p, b))) wider.push(`writes ${relative(root, p)}`);
    for (const p of paths(child, 'readOnly'))
      if (!baseRead.some((b) => inside(p, b))) wider.push(`reads ${relative(root, p)}`);
  }
  if (NETWORK.indexOf(child.network) > NETWORK.indexOf(base.network)) wider.push(`network ${child.network}`);
  if (EXEC.indexOf(child.exec) > EXEC.indexOf(base.exec)) wider.push(`exec ${child.exec}`);
  return wider;
}

const trustYaml = (fs: string | undefined, scope: string[] | undefined, network: string, exec: string) =>
  `trust:\n${fs ? `  filesystem: ${fs}\n` : ''}${scope ? `  scope: [${scope.join(', ')}]\n` : ''}  network: ${network}\n  exec: ${exec}\n`;

const BASES: Array<[string, string[] | undefined, string, string]> = [
  ['scoped', ['./data'], 'none', 'sandboxed'],
  ['read-only', ['./data', './docs'], 'allowed', 'none'],
  ['none', undefined, 'none', 'none'],
  ['readonly', ['./data'], 'deny', 'sandboxed'],
];
const PAIRS = [
  ['none', 'none'],
  ['scoped', 'sandboxed'],
  ['allowed', 'full'],
] as const;
const SCOPES: Array<string[] | undefined> = [
  undefined,
  ['./data'],
  ['./data/sub'],
  ['.'],
  ['./other'],
  ['./data/../etc'],
];

describe('the effective sandbox policy of an accepted child never grants more than its base', () => {
  test('over a grid of bases and children (filesystem × scope × network × exec)', async () => {
    let accepted = 0;
    let refused = 0;
    for (const [bi, [bfs, bscope, bnet, bexec]] of BASES.entries()) {
      const dir = join(root, `b${bi}`);
      writeTree(dir, {
        'base.agent': `apiVersion: agent/v1\nname: base\nversion: 1.0.0\nruntime: test-echo\n${trustYaml(bfs, bscope, bnet, bexec)}`,
      });
      const baseTrust = {
        filesystem: FS.includes(bfs) ? bfs : 'none',
        network: NETWORK.includes(bnet) ? bnet : 'none',
        exec: EXEC.includes(bexec) ? bexec : 'none',
        scope: FS.includes(bfs) && bfs !== 'none' ? (bscope ?? []) : [],
      } as const;
      const basePolicy = policyFromTrust(baseTrust as never, { workdir, root: dir });
      for (const fs of [undefined, ...FS]) {
        for (const scope of SCOPES) {
          for (const [network, exec] of PAIRS) {
            {
              writeTree(dir, {
                'child.agent': `apiVersion: agent/v1\nbase: ./base.agent\nname: child\nversion: 1.0.0\n${trustYaml(fs, scope, network, exec)}`,
              });
              let trust: Parameters<typeof policyFromTrust>[0] | undefined;
              try {
                trust = (await loadAgent(join(dir, 'child.agent'))).manifest.trust;
              } catch {
                refused++;
                continue;
              }
              accepted++;
              let childPolicy: IsolationPolicy;
              try {
                childPolicy = policyFromTrust(trust!, { workdir, root: dir });
              } catch {
                continue; // isolation refuses the shape itself (scope under filesystem: none): nothing runs
              }
              expect(
                grants(childPolicy, basePolicy),
                `base ${bi} (${bfs} ${bscope} ${bnet} ${bexec}); child ${fs} ${scope} ${network} ${exec}`,
              ).toEqual([]);
            }
          }
        }
      }
    }
    // Sanity: the grid holds both outcomes; the invalid base (readonly/deny) accepts no child at all.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(50);
  }, 120_000);
});
