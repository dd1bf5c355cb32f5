import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoAgentDir, makeTempDir, runCli } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

describe('agentlang records', () => {
  it('list prints one seed-000 line per run (oldest first); show prints the record; --json for both', () => {
    const cwd = demoAgentDir();
    expect(runCli(['records', 'list'], { cwd })).toMatchObject({ status: 0, stdout: '' });
    expect(JSON.parse(runCli(['records', 'list', '--json'], { cwd }).stdout)).toEqual({ records: [], skipped: [] });
    expect(runCli(['run', 'demo.agent'], { cwd }).status).toBe(0);
    expect(runCli(['run', 'demo.agent'], { cwd }).status).toBe(0);
    const list = runCli(['records', 'list'], { cwd });
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines)
      expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}demo@0\.1\.0 {2}exit=0 {2}\d+ms {2}ag1:[0-9a-f]{64}$/);
    const json = JSON.parse(runCli(['records', 'list', '--json'], { cwd }).stdout).records;
    expect(json).toHaveLength(2);
    expect(json[0].run_id < json[1].run_id).toBe(true);
    const show = runCli(['records', 'show', json[1].run_id], { cwd });
    expect(show.status).toBe(0);
    expect(JSON.parse(show.stdout)).toEqual(json[1]);
    expect(Object.keys(JSON.parse(show.stdout)).slice(0, 4)).toEqual(['schema', 'run_id', 'agent', 'lock']);
    expect(JSON.parse(runCli(['records', 'show', json[0].run_id, '--json'], { cwd }).stdout)).toEqual(json[0]);
  });

  it('list skips a malformed record with a warning on stderr (and lists it under skipped in --json); the good ones still show', () => {
    const cwd = demoAgentDir();
    expect(runCli(['run', 'demo.agent'], { cwd }).status).toBe(0);
    const dir = join(cwd, '.agentlang', 'records');
    writeFileSync(join(dir, '01ARYZ6S41TSV4RRFFQ69G5FAV.json'), '{ not json');
    writeFileSync(join(dir, '01ARYZ6S41TSV4RRFFQ69G5FAW.json'), '{"schema":"agentlang.record/v1"}');
    const list = runCli(['records', 'list'], { cwd });
    expect(list.status).toBe(0);
    expect(list.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(list.stdout).toMatch(/demo@0\.1\.0 {2}exit=0/);
    expect(list.stderr).toMatch(/warning: skipped .*01ARYZ6S41TSV4RRFFQ69G5FAV\.json: record .* is not valid JSON/);
    expect(list.stderr).toMatch(
      /warning: skipped .*01ARYZ6S41TSV4RRFFQ69G5FAW\.json: .*not an agentlang\.record\/v1 document/,
    );
    const json = runCli(['records', 'list', '--json'], { cwd });
    expect(json.status).toBe(0);
    const data = JSON.parse(json.stdout);
    expect(data.records).toHaveLength(1);
    expect(data.skipped.map((s: { id: string; code: string }) => [s.id, s.code])).toEqual([
      ['01ARYZ6S41TSV4RRFFQ69G5FAV', 'RUNNER_RECORD_INVALID'],
      ['01ARYZ6S41TSV4RRFFQ69G5FAW', 'RUNNER_RECORD_INVALID'],
    ]);
  });

  it('show refuses ids that are not ULIDs (no path traversal) with exit 15 and RUNNER_RECORD_ID', () => {
    const cwd = makeTempDir();
    mkdirSync(join(cwd, '.agentlang', 'records'), { recursive: true });
    writeFileSync(join(cwd, '.agentlang', 'secret.json'), '{"schema":"agentlang.record/v1"}');
    for (const id of [
      '../secret',
      '../../etc/passwd',
      '/etc/passwd',
      '..',
      '01ARYZ6S41TSV4RRFFQ69G5FAV/../../secret',
    ]) {
      const r = runCli(['records', 'show', id, '--json'], { cwd });
      expect(r.status).toBe(15);
      expect(JSON.parse(r.stdout).error.code).toBe('RUNNER_RECORD_ID');
    }
    const missing = runCli(['records', 'show', '01ARYZ6S41TSV4RRFFQ69G5FAV'], { cwd });
    expect(missing.status).toBe(15);
    expect(missing.stderr).toContain('no record 01ARYZ6S41TSV4RRFFQ69G5FAV');
  });

  it('an unknown subcommand is a usage error', () => {
    const r = runCli(['records', 'delete'], { cwd: makeTempDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('expected list or show');
  });
});
