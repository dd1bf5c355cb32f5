import { Reporter, checkDocument } from './checks.js';
import type { Diagnostic } from './diagnostic.js';
import { ManifestError } from './errors.js';
import { sha256Tagged } from './hash.js';
import { checkTrustScope } from './inherit.js';
import type { LoadOptions } from './load-types.js';
import type { SourceReader } from './reader.js';
import type { SchemaKind } from './schemas.js';
import { type Locator, validateAgainstSchema } from './validate-schema.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

/** Default per-file size cap (1 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** Default bound on YAML aliases per document. */
export const DEFAULT_MAX_ALIAS_COUNT = 100;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 text, or reports the line and column of the first byte that is not UTF-8. */
export function decodeText(rel: string, bytes: Uint8Array): string | Diagnostic {
  try {
    return decoder.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const bad = lenient.indexOf('\uFFFD');
    const before = lenient.slice(0, Math.max(0, bad));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return {
      severity: 'error',
      code: 'MANIFEST_YAML_SYNTAX',
      message: `${rel} is not valid UTF-8 text`,
      file: rel,
      line,
      column,
      path: '',
      expected: 'UTF-8 text',
      found: 'a byte sequence that is not UTF-8',
    };
  }
}

/** One load of one agent: the files it read (with their digests) and the diagnostics found so far. */
export class LoadSession {
  readonly diagnostics: Diagnostic[] = [];
  readonly files = new Map<string, string>();
  readonly digestFiles = new Map<string, string>();
  /** The bytes of every file read, by path: what was digested is what the agent hands on (`LoadedAgent.fileBytes`). */
  readonly contents = new Map<string, Uint8Array>();
  constructor(
    readonly reader: SourceReader,
    readonly options: LoadOptions,
  ) {}

  /** Reads a file, recording its digest; undefined when missing. Size problems become diagnostics. */
  async read(rel: string, forDigest: boolean): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.reader.read(rel);
    } catch (error) {
      if (
        error instanceof ManifestError &&
        (error.code === 'MANIFEST_TOO_LARGE' || error.code === 'MANIFEST_PATH_ESCAPE')
      ) {
        this.diagnostics.push({
          severity: 'error',
          code: error.code,
          message: error.message,
          file: rel,
          line: 0,
          column: 0,
          path: '',
        });
        return undefined;
      }
      throw error;
    }
    const known = this.options.fileDigests?.[rel];
    if (!bytes && known !== undefined && /^sha256:[0-9a-f]{64}$/.test(known)) {
      this.files.set(rel, known);
      if (forDigest) this.digestFiles.set(rel, known);
    }
    if (bytes) {
      this.contents.set(rel, bytes);
      const digest = sha256Tagged(bytes);
      this.files.set(rel, digest);
      if (forDigest) this.digestFiles.set(rel, digest);
    }
    return bytes;
  }

  /** Reads a UTF-8 text file; undefined when missing or not UTF-8 (then a diagnostic says so). */
  async text(rel: string, forDigest: boolean): Promise<string | undefined> {
    const bytes = await this.read(rel, forDigest);
    if (!bytes) return undefined;
    const text = decodeText(rel, bytes);
    if (typeof text === 'string') return text;
    this.diagnostics.push(text);
    return undefined;
  }

  /** Reads and safely parses a YAML file; undefined when missing. */
  async yaml(rel: string, forDigest: boolean): Promise<YamlSource | undefined> {
    const bytes = await this.read(rel, forDigest);
    if (!bytes) return undefined;
    const text = decodeText(rel, bytes);
    if (typeof text !== 'string') {
      this.diagnostics.push(text);
      return {
        file: rel,
        text: '',
        data: undefined,
        diagnostics: [text],
        locate: () => ({ line: 0, column: 0 }),
        sourceOf: () => undefined,
        has: () => false,
      };
    }
    return this.parseYaml(rel, text);
  }

  /** Safely parses YAML text under this load's alias bound. */
  parseYaml(rel: string, text: string): YamlSource {
    return parseYamlSource(rel, text, { maxAliasCount: this.options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
  }

  /** Validates a whole document against a schema plus the document-level checks. */
  checkDocument(kind: SchemaKind, data: Record<string, unknown>, at: Locator): void {
    const r = new Reporter(at);
    const skip = checkDocument(data, r);
    if (kind === 'agentspec') checkTrustScope(data, r);
    this.diagnostics.push(...r.out, ...validateAgainstSchema(kind, data, at, skip));
  }
}
