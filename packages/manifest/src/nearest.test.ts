import { expect, test } from 'vitest';
import { editDistance, nearestWord } from './nearest.js';

test('editDistance counts insertions, deletions and substitutions', () => {
  expect(editDistance('toolz', 'tools')).toBe(1);
  expect(editDistance('', 'abc')).toBe(3);
  expect(editDistance('kitten', 'sitting')).toBe(3);
});

test('nearestWord suggests a close key and nothing for a far one', () => {
  expect(nearestWord('toolz', ['tools', 'models', 'skills'])).toBe('tools');
  expect(nearestWord('mcp_server', ['mcp_servers', 'http_tools'])).toBe('mcp_servers');
  expect(nearestWord('zzzzzzzz', ['tools', 'models'])).toBeUndefined();
});
