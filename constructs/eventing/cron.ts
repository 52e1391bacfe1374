/**
 * Cron schedules as Knative's PingSource accepts them (robfig/cron's standard parser): five fields
 * (minute hour day-of-month month day-of-week, Sunday = 0) or an `@hourly`-style descriptor. Knative's webhook
 * refuses `@every`.
 */

const FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Returns a description of what is wrong with the schedule, or undefined when it is valid. */
export function cronProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text === '') return 'is empty';
  if (text.startsWith('@')) {
    if (DESCRIPTORS.includes(text)) return undefined;
    if (text.startsWith('@every')) return 'uses @every, which Knative\'s PingSource does not support; write it as a cron expression';
    return `is not a known descriptor (${DESCRIPTORS.join(', ')})`;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `has ${parts.length} fields; a schedule has 5 (minute hour day-of-month month day-of-week)`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(parts[i], FIELDS[i]);
    if (problem) return `has an invalid ${FIELDS[i].name} field "${parts[i]}": ${problem}`;
  }
  return undefined;
}

function fieldProblem(field: string, spec: { min: number; max: number; names?: string[] }): string | undefined {
  for (const item of field.split(',')) {
    const [range, step, ...more] = item.split('/');
    if (more.length) return 'has more than one "/"';
    if (step !== undefined && !/^[1-9][0-9]*$/.test(step)) return `step "${step}" must be a positive whole number`;
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `"${range}" is not a value or a range`;
    const values = bounds.map((b) => value(b, spec));
    if (values.some((v) => v === undefined)) return `"${range}" is outside ${spec.min}-${spec.max}${spec.names ? ` (or ${spec.names[0]}-${spec.names[spec.names.length - 1]})` : ''}`;
    if (values.length === 2 && (values[0] as number) > (values[1] as number)) return `range "${range}" runs backwards`;
  }
  return undefined;
}

function value(text: string, spec: { min: number; max: number; names?: string[] }): number | undefined {
  const named = spec.names?.indexOf(text.toUpperCase());
  if (named !== undefined && named >= 0) return named + spec.min;
  if (!/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= spec.min && n <= spec.max ? n : undefined;
}
