import { defineConfig } from 'tsup';

// Only the runnable scripted model server is built (the Quick start demo starts it); tests import src/.
export default defineConfig({
  entry: ['src/scripted-model.ts'],
  format: ['esm'],
  clean: true,
  target: 'node20',
});
