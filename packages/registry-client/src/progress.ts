import { progressLogger as logProgress } from '@agentlang/utils';

/** One progress report of a transfer. */
export interface TransferProgress {
  direction: 'upload' | 'download';
  /** What is being transferred (`alice/demo@0.1.0`). */
  label: string;
  bytes: number;
  /** Total bytes, when known. */
  total?: number;
}

/**
 * Makes an `onProgress` callback that writes human lines (`pulling alice/demo@0.1.0  32.0/64.0 MiB
 * (50%)`) to `log` for transfers of at least `minBytes` (default 8 MiB), at most once per 10%.
 */
export function progressLogger(log: (line: string) => void, minBytes = 8 << 20): (progress: TransferProgress) => void {
  const report = logProgress(log, minBytes);
  return (p) =>
    report({
      verb: p.direction === 'upload' ? 'pushing' : 'pulling',
      label: p.label,
      bytes: p.bytes,
      ...(p.total !== undefined ? { total: p.total } : {}),
    });
}
