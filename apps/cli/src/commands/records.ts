import { resolve } from 'node:path';
import { formatRecordLine, readRecord, recordsDirFor, scanRecords, verifyStoredRecord } from '@agentlang/runner';
import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import type { RECORDS } from './index.js';

/** `agentlang records list|show <id>`: the execution records under `.agentlang/records`. */
export async function run(ctx: ContextOf<typeof RECORDS>): Promise<CommandResult> {
  const [sub = 'list', id] = ctx.positionals;
  const dir = ctx.values.dir !== undefined ? resolve(ctx.cwd, ctx.values.dir) : recordsDirFor(ctx.cwd);
  if (sub === 'list') {
    if (id !== undefined)
      throw new CliError(CliErrorCode.Argument, `unexpected argument ${JSON.stringify(id)}: agentlang records list`, {
        details: { argument: id.slice(0, 40) },
      });
    // One malformed file (an agent's, a torn copy) is skipped with a warning, never hides the others.
    const { records, skipped } = scanRecords(dir);
    for (const s of skipped) ctx.log(`warning: skipped ${s.path}: ${s.reason}`);
    return { text: records.length === 0 ? '' : records.map(formatRecordLine).join('\n'), data: { records, skipped } };
  }
  // `show`, the only other subcommand the declaration lets through.
  if (!id)
    throw new CliError(
      CliErrorCode.Argument,
      'missing <run-id>: agentlang records show <run-id>  (ids from `agentlang records list --json`)',
      { details: { argument: 'run-id' } },
    );
  const { pubkey } = ctx.values;
  const record = pubkey !== undefined ? verifyStoredRecord(dir, id, [pubkey]) : readRecord(dir, id);
  if (pubkey !== undefined) ctx.log(`signature verifies for record ${id}`);
  return { text: JSON.stringify(record, null, 2), data: record };
}
