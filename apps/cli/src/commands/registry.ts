import { type CommandContext, type CommandResult, parseIntegerOption, UsageError } from '../command.js';

class RegistryUsageError extends Error {
  readonly code = 'USAGE_ARGUMENTS';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** `agentlang registry serve`: runs the embedded registry until SIGINT or SIGTERM. */
export async function run(ctx: CommandContext): Promise<CommandResult> {
  const [sub, ...extra] = ctx.positionals;
  if (sub !== 'serve' || extra.length > 0) {
    throw new RegistryUsageError('expected: agentlang registry serve [--bind 127.0.0.1:8765] [--data DIR] [--keys-file FILE] [--private TENANT]… [--signer T:PUBHEX]… [--max-upload-mib N] [--parse-concurrency N] [--parse-heap-mib N]; see `agentlang registry --help`');
  }
  const maxUploadMib = parseIntegerOption('max-upload-mib', ctx.values['max-upload-mib'], { min: 1, max: 1 << 20 });
  const parseConcurrency = parseIntegerOption('parse-concurrency', ctx.values['parse-concurrency'], { min: 1, max: 64 });
  const parseHeapMib = parseIntegerOption('parse-heap-mib', ctx.values['parse-heap-mib'], { min: 16, max: 1 << 14 });
  const { resolve } = await import('node:path');
  const { parseBind, startRegistry } = await import('@agentlang/registry');
  const bind = str(ctx.values.bind) ?? '127.0.0.1:8765';
  try {
    parseBind(bind);
  } catch (cause) {
    throw new UsageError((cause as Error).message, { code: 'USAGE_FLAG', details: { flag: 'bind', value: bind.slice(0, 80) }, cause });
  }
  const dataDir = resolve(ctx.cwd, str(ctx.values.data) ?? '.agentlang/registry');
  const keysFile = str(ctx.values['keys-file']);
  const registry = await startRegistry({
    bind,
    dataDir,
    ...(ctx.env.AGENTLANG_API_KEYS ? { apiKeys: ctx.env.AGENTLANG_API_KEYS } : {}),
    ...(keysFile ? { keysFile: resolve(ctx.cwd, keysFile) } : {}),
    privateTenants: list(ctx.values.private),
    signers: list(ctx.values.signer),
    ...(maxUploadMib !== undefined ? { maxUploadBytes: maxUploadMib * (1 << 20) } : {}),
    parse: { ...(parseConcurrency !== undefined ? { concurrency: parseConcurrency } : {}), ...(parseHeapMib !== undefined ? { heapMib: parseHeapMib } : {}) },
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
            const notes = [spec?.private ? 'private' : '', spec?.signers ? 'signed containers only' : ''].filter(Boolean);
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
