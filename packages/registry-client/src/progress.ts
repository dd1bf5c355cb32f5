import { Transform } from 'node:stream';

/** One progress report of a transfer. */
export interface TransferProgress {
  direction: 'upload' | 'download';
  /** What is being transferred (`alice/demo@0.1.0`). */
  label: string;
  bytes: number;
  /** Total bytes, when known. */
  total?: number;
}

/** A pass-through stream that reports bytes seen to `report`, at most every `stepBytes` and once at the end. */
export function progressStream(report: (bytes: number) => void, stepBytes = 4 << 20): Transform {
  let bytes = 0;
  let next = stepBytes;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes >= next) {
        next = bytes + stepBytes;
        report(bytes);
      }
      done(null, chunk);
    },
    flush(done) {
      report(bytes);
      done();
    },
  });
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

/**
 * Makes an `onProgress` callback that writes human lines (`pulling alice/demo@0.1.0  32.0/64.0 MiB
 * (50%)`) to `log` for transfers of at least `minBytes` (default 8 MiB), at most once per 10%.
 */
export function progressLogger(log: (line: string) => void, minBytes = 8 << 20): (progress: TransferProgress) => void {
  const lastShown = new Map<string, number>();
  return (p) => {
    if ((p.total ?? p.bytes) < minBytes) return;
    const key = `${p.direction} ${p.label}`;
    const percent = p.total ? Math.floor((p.bytes / p.total) * 100) : -1;
    const step = percent < 0 ? Math.floor(p.bytes / (16 << 20)) : Math.floor(percent / 10);
    if (lastShown.get(key) === step) return;
    lastShown.set(key, step);
    const verb = p.direction === 'upload' ? 'pushing' : 'pulling';
    const done = (p.bytes / (1 << 20)).toFixed(1);
    log(`${verb} ${p.label}  ${p.total ? `${done}/${mebibytes(p.total)} (${percent}%)` : mebibytes(p.bytes)}`);
  };
}
