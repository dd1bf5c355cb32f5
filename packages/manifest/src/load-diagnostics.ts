import { type Diagnostic, formatDiagnostic } from './diagnostic.js';
import { ManifestError } from './errors.js';

/** Orders diagnostics by file, line and column (stable otherwise). */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) =>
      a.d.file < b.d.file ? -1 : a.d.file > b.d.file ? 1 : a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i,
    )
    .map(({ d }) => d);
}

/** Drops repeated diagnostics (a base is validated on its own and again inside the merged document). */
export function dedupeDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.severity}\0${d.code}\0${d.file}\0${d.line}\0${d.column}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Throws MANIFEST_INVALID listing the first 20 errors, with every diagnostic (sorted, deduplicated) in its details. */
export function failLoad(label: string, unsorted: Diagnostic[]): never {
  const diagnostics = sortDiagnostics(dedupeDiagnostics(unsorted));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const shown = errors.slice(0, 20).map((d) => `  ${formatDiagnostic(d)}`);
  if (errors.length > shown.length) shown.push(`  … and ${errors.length - shown.length} more`);
  const first = errors[0];
  throw new ManifestError(
    'MANIFEST_INVALID',
    `${label} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${shown.join('\n')}`,
    {
      details: {
        ...(first ? { file: first.file, line: first.line, column: first.column, path: first.path } : {}),
        diagnostics,
      },
    },
  );
}
