import { safeYamlErrorOf } from './errors.js';
import { type ReadYamlOptions, readYaml } from './read-yaml.js';

/** {@link readYaml} for callers that want the data or an error: throws {@link SafeYamlError} (located in `file`) on the first issue. */
export function parseYaml(text: string, options: ReadYamlOptions & { file?: string } = {}): unknown {
  const { file, ...limits } = options;
  const reading = readYaml(text, limits);
  if (reading.issues.length > 0) throw safeYamlErrorOf(reading.issues, file);
  return reading.data;
}
