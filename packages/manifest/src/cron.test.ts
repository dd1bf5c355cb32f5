import { describe, expect, test } from 'vitest';
import { checkCron } from './cron.js';

describe('checkCron', () => {
  test.each([
    '0 * * * *',
    '*/15 9-17 * * MON-FRI',
    '30 6 1,15 JAN,jul 0',
    '0 0 * * 7',
    '5-10/2 * 31 12 *',
    '@hourly',
    '@daily',
  ])('accepts %s', (expr) => {
    expect(checkCron(expr)).toBeUndefined();
  });

  test.each([
    ['61 * * * *', /minute value "61"/],
    ['* 24 * * *', /hour value "24"/],
    ['* * 0 * *', /day of month value "0"/],
    ['* * * 13 *', /month value "13"/],
    ['* * * * 8', /day of week value "8"/],
    ['0 * * *', /5 fields/],
    ['0 * * * * *', /5 fields/],
    ['*/0 * * * *', /step/],
    ['5-1 * * * *', /backwards/],
    ['1,,2 * * * *', /malformed/],
    ['@fortnightly', /5 fields/],
  ])('rejects %s', (expr, message) => {
    expect(checkCron(expr)).toMatch(message);
  });
});
