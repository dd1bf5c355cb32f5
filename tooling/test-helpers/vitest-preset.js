// Shared vitest settings: tests import sibling packages from their TypeScript source, so a
// unit test never needs a build; only the CLI's end-to-end tests run the bundled binary.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function aliases() {
  const entries = [
    { find: /^@agentlang\/test-helpers$/, replacement: join(root, 'tooling/test-helpers/src/index.ts') },
  ];
  for (const name of readdirSync(join(root, 'packages'))) {
    entries.push({
      find: new RegExp(`^@agentlang/${name}$`),
      replacement: join(root, 'packages', name, 'src/index.ts'),
    });
  }
  return entries;
}

/** Builds the vitest project config for one workspace package. */
export function agentlangProject(name, overrides = {}) {
  return defineProject({
    resolve: { alias: aliases() },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
