const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELDS: Array<{ name: string; min: number; max: number; names?: string[]; namesFrom?: number }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
];
const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Checks a 5-field cron expression (minute hour day-of-month month day-of-week; `*`, lists,
 * ranges, steps, JAN–DEC / SUN–SAT names, and the @hourly-style macros). Returns undefined when
 * valid, or a sentence saying what is wrong.
 */
export function checkCron(expression: string): string | undefined {
  const text = expression.trim();
  if (MACROS.has(text.toLowerCase())) return undefined;
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `a cron schedule has 5 fields (minute hour day month weekday), found ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const problem = checkField(parts[i]!, FIELDS[i]!);
    if (problem) return problem;
  }
  return undefined;
}

function checkField(field: string, spec: (typeof FIELDS)[number]): string | undefined {
  for (const item of field.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined || range === undefined || range === '') return `${spec.name} field "${field}" is malformed`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `${spec.name} step "${step}" must be a positive integer`;
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `${spec.name} range "${range}" is malformed`;
    const values: number[] = [];
    for (const b of bounds) {
      const v = parseValue(b, spec);
      if (v === undefined) return `${spec.name} value "${b}" is not in ${spec.min}-${spec.max}`;
      values.push(v);
    }
    if (values.length === 2 && values[0]! > values[1]!) return `${spec.name} range "${range}" runs backwards`;
  }
  return undefined;
}

function parseValue(text: string, spec: (typeof FIELDS)[number]): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= spec.min && n <= spec.max ? n : undefined;
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + (spec.namesFrom ?? 0) : undefined;
}
