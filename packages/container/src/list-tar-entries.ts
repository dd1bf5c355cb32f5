import { open } from 'node:fs/promises';
import { ContainerError, ContainerErrorCode } from './errors.js';
import { TarReader } from './tar-reader.js';

/** Where one entry's content lies in a container file. */
export interface TarSpan {
  /** The entry name (`agent.yaml`, `context/notes.md`). */
  path: string;
  /** Offset of the first content byte in the file. */
  offset: number;
  size: number;
}

/**
 * Lists the entries of a container file without reading their contents, through the same strict
 * reader that verifies containers (canonical ustar headers with checksums, regular files only, safe
 * names, exact end marker, no trailing bytes). It does not check the signed index: use it on a
 * container that `verifyContainer` accepted (publishing each entry as an OCI layer does).
 */
export async function listTarEntries(file: string): Promise<TarSpan[]> {
  const handle = await open(file, 'r').catch((cause: NodeJS.ErrnoException) => {
    throw new ContainerError(
      ContainerErrorCode.NotAContainer,
      `cannot open container ${file}: ${cause.code ?? cause.message}`,
      { details: { file }, cause },
    );
  });
  try {
    const reader = new TarReader(handle, (await handle.stat()).size);
    const spans: TarSpan[] = [];
    for (let entry = await reader.next(); entry !== null; entry = await reader.next()) {
      spans.push({ path: entry.name, offset: entry.dataOffset, size: entry.size });
      reader.skip(entry);
    }
    return spans;
  } finally {
    await handle.close();
  }
}
