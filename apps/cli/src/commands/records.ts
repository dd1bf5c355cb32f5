import { resolve } from 'node:path';
import { formatRecordLine, readRecord, recordsDirFor, scanRecords, verifyStoredRecord } from '@agentlang/runner';
import type { CommandContext, CommandResult } from '../command.js';

/** A usage mistake: maps to exit code 2 through its `USAGE_` code. */
class RecordsUsageError extends Error {
  readonly code = 'USAGE_RECORDS';
}

/** `agentlang records list|show <id>`: the execution records under `.agentlang/records`. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [sub, ...rest] = ctx.positionals;
  const dirOption = ctx.values.dir;
  const dir = typeof dirOption === 'string' ? resolve(ctx.cwd, dirOption) : recordsDirFor(ctx.cwd);
  if (sub === 'list' || sub === undefined) {
    if (rest.length > 0) throw new RecordsUsageError(`unexpected argument ${JSON.stringify(rest[0])}: agentlang records list`);
    // One malformed file (an agent's, a torn copy) is skipped with a warning, never hides the others.
    const { records, skipped } = scanRecords(dir);
    for (const s of skipped) ctx.log(`warning: skipped ${s.path}: ${s.reason}`);
    return { text: records.length === 0 ? '' : records.map(formatRecordLine).join('\n'), data: { records, skipped } };
  }
  if (sub === 'show') {
    const [id, ...more] = rest;
    if (!id) throw new RecordsUsageError('missing <run-id>: agentlang records show <run-id>  (ids from `agentlang records list --json`)');
    if (more.length > 0) throw new RecordsUsageError(`unexpected argument ${JSON.stringify(more[0])}`);
    const pubkey = ctx.values.pubkey;
    const record = typeof pubkey === 'string' ? verifyStoredRecord(dir, id, [pubkey]) : readRecord(dir, id);
    if (typeof pubkey === 'string') ctx.log(`signature verifies for record ${id}`);
    return { text: JSON.stringify(record, null, 2), data: record };
  }
  throw new RecordsUsageError(`unknown records subcommand ${JSON.stringify(sub)}; expected list or show <run-id>`);
}
