import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openContainer } from '@agentlang/container';
import { RegistryClient } from './client.js';

/** Options of {@link createRegistryBaseResolver}. */
export interface RegistryBaseResolverOptions {
  /** Registry root URL (`http://127.0.0.1:8765`). */
  url: string;
  apiKey?: string;
  /** Trusted Ed25519 public keys (64 hex): a container base must be signed by one of them. */
  publicKeys?: string[];
}

/**
 * A `resolveBase` for @agentlang/manifest's loader: pulls `tenant/name@version[#sha256:…]` from the
 * registry with every check `pull` makes (sha256 against the server's header and the pin, the
 * artifact by content, name and version, the `ag1:` digest), into a private temp directory that is
 * removed again, and returns the manifest text (a container's entry file, read through its signed index).
 */
export function createRegistryBaseResolver(
  options: RegistryBaseResolverOptions,
): (reference: string) => Promise<{ text: string }> {
  const client = new RegistryClient({ url: options.url, ...(options.apiKey ? { apiKey: options.apiKey } : {}) });
  return async (reference) => {
    const dir = await mkdtemp(join(tmpdir(), 'agentlang-base-'));
    try {
      const out = join(dir, 'base.agent');
      const pulled = await client.pull(reference, {
        out,
        ...(options.publicKeys?.length ? { publicKeys: options.publicKeys } : {}),
      });
      if (pulled.kind === 'manifest') return { text: await readFile(out, 'utf8') };
      const opened = await openContainer(out, {
        ...(options.publicKeys?.length ? { publicKeys: options.publicKeys } : {}),
      });
      const entry = opened.files[opened.index.entry];
      if (!entry) throw new Error(`container ${reference} has no entry ${opened.index.entry}`);
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(entry) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
