import { Transform } from 'node:stream';

/** One report of a long byte-counting task (a transfer, an archive being packed). */
export interface ProgressReport {
  /** What is happening (`pulling`, `pushing`, `packing`). */
  verb: string;
  /** What it happens to (`alice/demo@0.1.0`, `context`). */
  label: string;
  /** Bytes done so far. */
  bytes: number;
  /** Total bytes, when known. */
  total?: number;
}

const MIB = 1 << 20;
const mebibytes = (bytes: number): string => (bytes / MIB).toFixed(1);

/**
 * Makes a progress callback that writes human lines (`pulling alice/demo@0.1.0  32.0/64.0 MiB (50%)`)
 * to `log` for tasks of at least `minBytes` (default 8 MiB), at most once per 10% per verb and label
 * (once per 16 MiB when the total is unknown), so a log stays a few lines long whatever the size.
 */
export function progressLogger(log: (line: string) => void, minBytes = 8 * MIB): (report: ProgressReport) => void {
  const lastShown = new Map<string, number>();
  return (p) => {
    if ((p.total ?? p.bytes) < minBytes) return;
    const key = `${p.verb} ${p.label}`;
    const percent = p.total ? Math.floor((p.bytes / p.total) * 100) : -1;
    const step = percent < 0 ? Math.floor(p.bytes / (16 * MIB)) : Math.floor(percent / 10);
    if (lastShown.get(key) === step) return;
    lastShown.set(key, step);
    log(
      `${p.verb} ${p.label}  ${p.total ? `${mebibytes(p.bytes)}/${mebibytes(p.total)} MiB (${percent}%)` : `${mebibytes(p.bytes)} MiB`}`,
    );
  };
}

/** A pass-through stream that reports the bytes seen so far to `report`, at most every `stepBytes` and once at the end. */
export function progressStream(report: (bytes: number) => void, stepBytes = 4 * MIB): Transform {
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
