import { join } from 'node:path';
import { describeErrorCodeDocs } from '@agentlang/test-helpers';

// Fails when README.md's error-code table and the SIGNING_* codes in src/ disagree.
describeErrorCodeDocs(join(import.meta.dirname, '..'), 'SIGNING');
