import { expect, it } from 'vitest';
import { editDistance, nearestWord } from './edit-distance.js';

it('editDistance counts insertions, deletions and substitutions', () => {
  expect(editDistance('toolz', 'tools')).toBe(1);
  expect(editDistance('', 'abc')).toBe(3);
  expect(editDistance('kitten', 'sitting')).toBe(3);
});

it('nearestWord suggests a close word, ignoring case, and nothing for a far one', () => {
  expect(nearestWord('toolz', ['tools', 'models', 'skills'])).toBe('tools');
  expect(nearestWord('mcp_server', ['mcp_servers', 'http_tools'])).toBe('mcp_servers');
  expect(nearestWord('SECTIONS', ['version', 'sections'])).toBe('sections');
  expect(nearestWord('zzzzzzzz', ['tools', 'models'])).toBeUndefined();
  expect(nearestWord('x'.repeat(65), ['x'.repeat(65)])).toBeUndefined();
});
