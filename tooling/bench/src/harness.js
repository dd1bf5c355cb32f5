// Benchmark helpers. Every figure is reported as a ratio against a floor measured in the same
// run (node's own start, bare bwrap, raw node:crypto), because this machine is shared and noisy.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The bundled CLI. */
export const cli = join(root, 'apps/cli/dist/agentlang.js');

/** Median of a list of numbers. */
/** bwrap arguments for a minimal root: /usr read-only with the usual symlinks, /proc and /dev (shared by the sandbox floors). */
export const BWRAP_USR_ROOT = [
  '--ro-bind',
  '/usr',
  '/usr',
  '--symlink',
  'usr/bin',
  '/bin',
  '--symlink',
  'usr/lib',
  '/lib',
  '--symlink',
  'usr/lib64',
  '/lib64',
  '--proc',
  '/proc',
  '--dev',
  '/dev',
];

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Percentile p (0..100) of a list of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Wall time in ms of one synchronous spawn; throws if the command fails. */
export function timeSpawn(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr?.toString().slice(0, 500)}`);
  }
  return ms;
}

/**
 * Runs several commands interleaved (a, b, c, a, b, c, …) `rounds` times after `warmup` rounds,
 * so machine noise hits each alike; returns the median ms per label.
 */
export function interleave(commands, { rounds = 15, warmup = 3 } = {}) {
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < warmup + rounds; i++) {
    for (const [label, [command, args, options]] of Object.entries(commands)) {
      const ms = timeSpawn(command, args, options);
      if (i >= warmup) times[label].push(ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** Median ms of an in-process async function over `rounds` runs after `warmup`. */
export async function timeAsync(fn, { rounds = 20, warmup = 3 } = {}) {
  const samples = [];
  for (let i = 0; i < warmup + rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    if (i >= warmup) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

/**
 * One result row. `ratio` compares against the floor; `target` is a human statement such as
 * "≤ 1.5"; `pass` is whether the target was met in this run.
 */
export function row(suite, name, fields) {
  return { suite, name, ...fields };
}
