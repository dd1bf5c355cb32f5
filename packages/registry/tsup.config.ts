import { defineConfig } from 'tsup';

export default defineConfig({
  // The worker is its own entry: uploads are parsed in a worker thread, off the server's event loop.
  entry: ['src/index.ts', 'src/identify-worker.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
