export {
  type AtomicFile,
  type AtomicWriteOptions,
  openAtomicFile,
  tempPathFor,
  writeFileAtomic,
  writeFileAtomicSync,
} from './atomic-write.js';
export { editDistance, nearestWord } from './edit-distance.js';
export { absolutePathEntries, findOnPath } from './find-on-path.js';
export { killProcessGroup } from './kill-process-group.js';
export { processRunning } from './process-running.js';
export { type ProgressReport, progressLogger, progressStream } from './progress.js';
