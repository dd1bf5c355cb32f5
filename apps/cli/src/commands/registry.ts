import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import type { REGISTRY_SERVE } from './index.js';

/** `agentlang registry serve`: runs the embedded registry until SIGINT or SIGTERM. */
export async function run(ctx: ContextOf<typeof REGISTRY_SERVE>): Promise<CommandResult> {
  const {
    bind,
    'max-upload-mib': maxUploadMib,
    'parse-concurrency': parseConcurrency,
    'parse-heap-mib': parseHeapMib,
  } = ctx.values;
  const { resolve } = await import('node:path');
  const { parseBind, startRegistry } = await import('@agentlang/registry');
  try {
    parseBind(bind);
  } catch (cause) {
    throw new CliError(CliErrorCode.Flag, (cause as Error).message, {
      details: { flag: 'bind', value: bind.slice(0, 80) },
      cause,
    });
  }
  const dataDir = resolve(ctx.cwd, ctx.values.data);
  const keysFile = ctx.values['keys-file'];
  const registry = await startRegistry({
    bind,
    dataDir,
    ...(ctx.env.AGENTLANG_API_KEYS ? { apiKeys: ctx.env.AGENTLANG_API_KEYS } : {}),
    ...(keysFile ? { keysFile: resolve(ctx.cwd, keysFile) } : {}),
    privateTenants: ctx.values.private,
    signers: ctx.values.signer,
    ...(maxUploadMib !== undefined ? { maxUploadBytes: maxUploadMib * (1 << 20) } : {}),
    parse: {
      ...(parseConcurrency !== undefined ? { concurrency: parseConcurrency } : {}),
      ...(parseHeapMib !== undefined ? { heapMib: parseHeapMib } : {}),
    },
    // Errors always reach stderr; the one line per push only with --verbose (the seed runs the
    // server in the background of the same terminal).
    log: (line) => {
      if (ctx.verbose || line.startsWith('error ')) ctx.log(line);
    },
  });
  const tenants = [...registry.keys.tenants.keys()];
  ctx.log(`agentlang registry listening on ${registry.url}  data ${dataDir}`);
  ctx.log(
    tenants.length > 0
      ? `tenants: ${tenants
          .map((t) => {
            const spec = registry.keys.tenants.get(t);
            const notes = [spec?.private ? 'private' : '', spec?.signers ? 'signed containers only' : ''].filter(
              Boolean,
            );
            return notes.length > 0 ? `${t} (${notes.join(', ')})` : t;
          })
          .join(', ')}`
      : 'no API keys configured: reads only. Set AGENTLANG_API_KEYS="alice:alice-key" or pass --keys-file to allow pushes.',
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void registry.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { text: '', data: { stopped: true, url: registry.url } };
}
