import { join } from 'node:path';
import { describeErrorCodeDocs } from '@agentlang/test-helpers';

// Fails when README.md's error-code table and the USAGE_* codes of src/errors.ts and src/ disagree.
describeErrorCodeDocs(join(import.meta.dirname, '..'), 'USAGE');
