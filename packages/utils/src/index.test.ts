import { expect, it } from 'vitest';
import * as api from './index.js';

it('pins the public API of @agentlang/utils (adding an export is a deliberate act)', () => {
  expect(Object.keys(api).sort()).toEqual([
    'absolutePathEntries',
    'editDistance',
    'findOnPath',
    'killProcessGroup',
    'nearestWord',
    'openAtomicFile',
    'processRunning',
    'progressLogger',
    'progressStream',
    'tempPathFor',
    'writeFileAtomic',
    'writeFileAtomicSync',
  ]);
});
