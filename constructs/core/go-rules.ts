/**
 * Rules the API server and the controllers apply as Go code does, where Node's own notion differs at the edges:
 *
 *   string lengths   OpenAPI `maxLength`/`minLength` count runes (Unicode code points, `utf8.RuneCountInString`),
 *                    size limits count UTF-8 bytes (`len(s)`); JavaScript's `.length` counts UTF-16 units
 *   regular exprs    schema `pattern`s are compiled and matched by Go's `regexp` (RE2 syntax and semantics), not by
 *                    JavaScript's RegExp: re2js, a port of RE2/J, which is itself a port of Go's `regexp`
 *   time zones       `time.LoadLocation` opens a tzdata file by its exact name (core/time-zones.ts, generated from a
 *                    pinned tzdata); Node's Intl knows another list and ignores case
 *   sizes            what etcd and the API server store (request, ConfigMap, annotation limits)
 */
import { RE2JS } from 're2js';
import { TIME_ZONE_NAMES, TZDATA_VERSION } from './time-zones';

/** Unicode code points in `text`: what Go's `utf8.RuneCountInString` counts (a lone surrogate counts one, as U+FFFD). */
export function runeCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** UTF-8 bytes of `text`: what Go's `len(s)` counts (the API server's size limits). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A size for messages: `1.5 MiB`, `256 KiB`, `812 bytes`. */
export function showBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024 / 2) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * etcd's default `--max-request-bytes` (1.5 MiB): a write whose object is larger fails with "etcdserver: request is
 * too large". (The API server's own request-body limit, 3 MiB, is never the first to bite.)
 */
export const ETCD_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/**
 * What the API server and controllers add to a stored object (uid, timestamps, managedFields, status), kept in reserve
 * when an object's own size is checked against etcd's limit.
 */
export const SERVER_FIELDS_RESERVE_BYTES = 16 * 1024;
/** A ConfigMap's `data` and `binaryData` values together (Kubernetes `MaxSecretSize`, the same for ConfigMaps). */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;
/** All annotations of an object, keys and values together (Kubernetes `TotalAnnotationSizeLimitB`). */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** A stored object's size against etcd's limit, or undefined when it fits. */
export function storedSizeProblem(manifest: unknown): string | undefined {
  const bytes = utf8Bytes(JSON.stringify(manifest));
  const room = ETCD_MAX_REQUEST_BYTES - SERVER_FIELDS_RESERVE_BYTES;
  if (bytes <= room) return undefined;
  return `makes the object ${bytes} bytes of JSON, more than etcd stores (${showBytes(ETCD_MAX_REQUEST_BYTES)} per request by default, ` +
    `less ${showBytes(SERVER_FIELDS_RESERVE_BYTES)} for what the API server adds)`;
}

// ---------------------------------------------------------------------------------------------------------------
// RE2 as Go compiles it

/** Hints for the JavaScript habits Go's parser refuses, by the text of its error. */
const RE2_HINTS: Array<[RegExp, string]> = [
  [/invalid escape sequence: `\\u/, 'write a code point as \\x{00e9} (RE2 has no \\u escape)'],
  [/invalid escape sequence: `\\c/, 'write a control character as \\x{01} (RE2 has no \\c escape)'],
  [/invalid escape sequence: `\\[1-9]/, 'RE2 has no back-references; match the text itself or drop the check'],
  [/invalid escape sequence: `\\k/, 'RE2 has no back-references; match the text itself or drop the check'],
  [/invalid escape sequence: `\\Z/, 'RE2 ends the text with \\z'],
  [/unsupported Perl syntax: `\(\?[=!]|invalid named capture: `\(\?<[=!]/, 'RE2 has no lookaround; match the text itself or split the rule'],
  [/invalid repeat count/, 'RE2 allows at most 1000 repetitions, also for repeats nested in each other'],
  [/invalid nested repetition operator/, 'RE2 has no possessive quantifiers (a++, a*+); drop the second operator'],
];

const MAX_CACHED = 2000;
const compiled = new Map<string, RE2JS | string>();

/** The compiled pattern, or the error Go's parser reports for it. */
function compileRe2(pattern: string): RE2JS | string {
  let entry = compiled.get(pattern);
  if (entry === undefined) {
    try {
      entry = RE2JS.compile(pattern);
    } catch (e) {
      entry = (e as Error).message || String(e);
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, entry);
  }
  return entry;
}

/**
 * Why Go's `regexp.Compile` refuses a pattern (as the API server does a CRD's `pattern`), with a hint; undefined when
 * it compiles. Accepts what RE2 accepts and JavaScript does not (`(?P<name>...)`, `[[:alpha:]]`, `\z`, `(?i)`, `\Q..\E`)
 * and refuses what JavaScript accepts and RE2 does not (`\u`, `\c`, back-references, lookaround, repeats over 1000).
 */
export function re2Problem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return 'must be a string';
  const entry = compileRe2(pattern);
  if (typeof entry !== 'string') return undefined;
  const hint = RE2_HINTS.find(([re]) => re.test(entry));
  return `is not a regular expression Go compiles (${entry})${hint ? `; ${hint[1]}` : ''}`;
}

/** Whether `text` matches the pattern somewhere, as Go's `regexp.MatchString` decides. Throws for an invalid pattern. */
export function re2Matches(pattern: string, text: string): boolean {
  const entry = compileRe2(pattern);
  if (typeof entry === 'string') throw new Error(`invalid RE2 pattern ${JSON.stringify(pattern)}: ${entry}`);
  return entry.test(text);
}

/**
 * A RegExp-like object with RE2 semantics, for validators that take a regular-expression engine (Ajv's
 * `code.regExp`): `test` finds a match anywhere, as a schema `pattern` does.
 */
export function re2RegExp(pattern: string): { test(text: string): boolean; toString(): string } {
  const entry = compileRe2(pattern);
  if (typeof entry === 'string') throw new Error(`invalid RE2 pattern ${JSON.stringify(pattern)}: ${entry}`);
  // Ajv keys compiled patterns by toString(): it must tell patterns apart, as a RegExp's does.
  return { test: (text: string) => entry.test(text), toString: () => `/${pattern}/` };
}

// ---------------------------------------------------------------------------------------------------------------
// Time zones as time.LoadLocation resolves them

let lowerCaseZones: Map<string, string> | undefined;

/**
 * Why `time.LoadLocation` (behind Knative's PingSource `timezone` and Kubernetes' CronJob `timeZone`) would not
 * resolve a zone to an IANA zone, or undefined. Names are tzdata file names: case-sensitive, backward links valid
 * (`US/Pacific`, `EST5EDT`). `Local` is refused as Kubernetes refuses it: it means the pod's own zone.
 */
export function timeZoneProblem(zone: unknown): string | undefined {
  if (typeof zone !== 'string') return 'must be a string';
  if (zone === '') return 'is empty';
  if (zone.toLowerCase() === 'local') return 'means the local time zone of the pod that runs the schedule, not a zone of its own';
  if (TIME_ZONE_NAMES.has(zone)) return undefined;
  lowerCaseZones ??= new Map([...TIME_ZONE_NAMES].map((z) => [z.toLowerCase(), z]));
  const meant = lowerCaseZones.get(zone.toLowerCase());
  if (meant) return `is not a time zone; Go looks zones up by file name, case-sensitively: did you mean "${meant}"?`;
  return `is not an IANA time zone (tzdata ${TZDATA_VERSION})`;
}
