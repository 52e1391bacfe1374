/**
 * Tekton variable references (`$(params.x)`, `$(results.x.path)`, `$(tasks.t.results.r)`, `$(context.taskRun.name)`)
 * found the way the Tekton v1.15.0 webhook finds them (pkg/substitution: dot, `["name"]` and `['name']` forms, a
 * trailing `[*]` or `[n]` index ignored, at most two dot-separated parts after the prefix), so that input the webhook
 * would refuse is refused at synth with a message naming the construct, the field and the fix.
 */

/** One `$(<prefix>...)` reference in a text. */
export interface VariableRef {
  /** The whole expression, e.g. `$(params.url)`. */
  readonly expression: string;
  /** The name after the prefix, without index or key (`url` for `$(params.url)`, `x` for `$(results.x.path)`). */
  readonly name: string;
  /** A whole-array reference (`[*]`). */
  readonly wholeArray: boolean;
  /** More than two dot-separated parts after the prefix (the webhook refuses it). */
  readonly tooManyParts: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const patterns = new Map<string, RegExp>();

function patternFor(prefix: string): RegExp {
  let re = patterns.get(prefix);
  if (!re) {
    const p = escapeRegExp(prefix);
    const body = '.*?(?:\\[\\*\\])?';
    re = new RegExp(`\\$\\(${p}(?:\\.(${body})|\\["(${body})"\\]|\\['(${body})'\\])\\)`, 'g');
    patterns.set(prefix, re);
  }
  re.lastIndex = 0;
  return re;
}

/** The `$(<prefix>.<name>)` references in `text` (prefix e.g. `params`, `results`, `context.taskRun`). */
export function variableRefs(text: string | undefined, prefix: string): VariableRef[] {
  if (!text) return [];
  const refs: VariableRef[] = [];
  const re = patternFor(prefix);
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const dotted = m[1];
    let raw = dotted ?? m[2] ?? m[3] ?? '';
    let tooManyParts = false;
    if (dotted !== undefined && dotted.includes('.')) {
      const parts = dotted.split('.');
      tooManyParts = parts.length > 2;
      raw = parts[0];
    }
    refs.push({
      expression: m[0],
      name: raw.replace(/\[[0-9]*\*?\]/g, ''),
      wholeArray: /\[\*\]$/.test(m[0].slice(0, -1)),
      tooManyParts,
    });
  }
  return refs;
}

/** A reference to a pipeline task's result or status: `$(tasks.<task>.results.<result>...)`, `$(tasks.<task>.status)`. */
export interface TaskRef {
  readonly expression: string;
  readonly task: string;
  /** The result name, for a result reference. */
  readonly result?: string;
  /** `status` for `$(tasks.<task>.status)`, `reason` for `$(tasks.<task>.reason)`. */
  readonly attribute?: string;
}

const TASK_RESULT = /\$\(tasks\.([^.)[\]]+)\.results\.([^.)[\]]+)(?:\.[^)]*|\[[^)]*\])?\)/g;
const TASK_STATUS = /\$\(tasks\.([^.)[\]]+)\.(status|reason)\)/g;

/** `$(tasks.<t>.results.<r>)` and `$(tasks.<t>.status|reason)` references in `text`; `$(tasks.status)` is not one. */
export function taskRefs(text: string | undefined): TaskRef[] {
  if (!text) return [];
  const refs: TaskRef[] = [];
  for (const m of text.matchAll(TASK_RESULT)) refs.push({ expression: m[0], task: m[1], result: m[2] });
  for (const m of text.matchAll(TASK_STATUS)) refs.push({ expression: m[0], task: m[1], attribute: m[2] });
  return refs;
}

/** Whether `text` uses the aggregate execution status `$(tasks.status)`. */
export function usesAggregateStatus(text: string | undefined): boolean {
  return !!text && text.includes('$(tasks.status)');
}

/** A whole value that is exactly one reference, e.g. `$(params.args[*])`. */
export function isIsolated(text: string, ref: VariableRef): boolean {
  return text === ref.expression;
}

/**
 * A Go duration as Tekton reads it (`time.ParseDuration`), from whole seconds: `1h30m`, `90s` → `1m30s`.
 */
export function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
