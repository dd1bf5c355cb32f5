export type { IsolationPolicy } from './policy.js';
