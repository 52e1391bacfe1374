/**
 * The Go rules the library applies (constructs/core/go-rules.ts) against Go's own behaviour: regexp/syntax's parse
 * tests (what `regexp.Compile`, i.e. the Perl flags, accepts and refuses), kube-openapi's rune counting, and
 * `time.LoadLocation`'s lookup of tzdata files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ANNOTATIONS_MAX_BYTES, ETCD_MAX_REQUEST_BYTES, re2Matches, re2Problem, runeCount, showBytes, storedSizeProblem, timeZoneProblem, utf8Bytes,
} from '../../constructs/core/go-rules';
import { parseMediaType } from '../../constructs/core/media-type';
import { TIME_ZONE_NAMES, TZDATA_VERSION } from '../../constructs/core/time-zones';
import { parseTzdataZi, renderTimeZonesModule } from '../../scripts/lib/tzdata';
import { KnativeFunction } from '../../constructs';
import { checkMetadata } from '../../constructs/core/k8s-rules';
import { testChart, validationError } from '../support/k8s';
import { runsWhen } from '../support/runs-when';

describe('RE2 as Go compiles it', () => {
  // Patterns Go's regexp/syntax parse tests expect to fail with the Perl flags regexp.Compile uses (parse_test.go:
  // invalidRegexps and the POSIX-only repetitions), and patterns they expect to parse.
  const refusedByGo = [
    '(', ')', '(a', 'a)', '(a))', '(a|b|', 'a|b|)', '(a|b|))', '(a|b', 'a|b)', '[a-z', '([a-z)', '[a-z)', '([a-z]))',
    'x{1001}', 'x{9876543210}', 'x{2,1}', 'x{1,9876543210}', '(?P<name>a', '(?P<name>', '(?P<x y>a)', '(?P<>a)', '(?<name>a', '(?<>a)',
    '[a-Z]', '(?i)[a-Z]', '\\Q\\E*', 'a{100000}', 'a{100000,}', '((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})',
    '('.repeat(1000) + ')'.repeat(1000), '(?:'.repeat(1000) + ')*'.repeat(1000), `(${'(xx?)'.repeat(1000)}){1000}`, '\\pL'.repeat(27000),
    'a++', 'a**', 'a?*', 'a+*', 'a{1}*', '.{1}{2}.{3}',
    // JavaScript syntax RE2 does not have.
    '\\u0041', '\\cA', '(a)\\1', '\\k<n>', '(?=a)', '(?!a)', '(?<=a)', '(?<!a)', '\\Z', '(?x)a b', '\\C',
  ];
  const acceptedByGo = [
    '[a-b-c]', '\\Qabc\\E', '\\Q*+?{[\\E', '\\Q\\\\E', '(?:a)', '(?P<name>a)', '(?<name>a)', 'x{1001', 'x{2,1', 'a{,2}', '', '|', '|x|',
    '[[:lower:]]', '[[:^alpha:]]', '(?i)\\w', '\\p{Braille}', '\\P{^Braille}', '\\pZ', '[\\012-\\234]\\141', '[\\x{41}-\\x7a]\\x61', '\\x{10FFFF}',
    '((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}))', 'a{1000}', '(?m)^a$\\z', '(?s).', '(?U)a+', '(?i:a)b', '\\A\\v\\f\\a', '\\0\\07',
  ];

  test.each(refusedByGo.map((p) => [p.length > 40 ? `${p.slice(0, 40)}… (${p.length} chars)` : p, p]))('refuses %s', (_shown, pattern) => {
    expect(re2Problem(pattern)).toMatch(/^is not a regular expression Go compiles \(error parsing regexp: /);
  });

  test.each(acceptedByGo)('accepts %s', (pattern) => {
    expect(re2Problem(pattern)).toBeUndefined();
  });

  test('matches as Go does, where JavaScript differs', () => {
    expect(re2Matches('^\\s$', '\v')).toBe(false); // Go's \s has no \v; JavaScript's has
    expect(re2Matches('^\\s$', '\u00a0')).toBe(false); // nor Unicode spaces
    expect(re2Matches('^[[:space:]]$', '\v')).toBe(true);
    expect(re2Matches('^\\w$', 'é')).toBe(false);
    expect(re2Matches('^.$', '𝄞')).toBe(true); // one rune
    expect(re2Matches('a$', 'a\n')).toBe(false); // $ is the end of the text without (?m)
    expect(re2Matches('(?i)^straße$', 'STRASSE')).toBe(false); // simple case folding only
    expect(re2Matches('(?i)^k$', '\u212a')).toBe(true); // Kelvin sign folds to k
    expect(re2Matches('b', 'abc')).toBe(true); // unanchored, like regexp.MatchString
  });

  test('says what to write instead of the JavaScript habit', () => {
    expect(re2Problem('\\u00e9')).toContain('write a code point as \\x{00e9}');
    expect(re2Problem('(?<!a)b')).toContain('RE2 has no lookaround');
    expect(re2Problem('a{2000}')).toContain('at most 1000 repetitions');
    expect(re2Problem(42)).toBe('must be a string');
  });
});

describe('strings in runes and bytes', () => {
  test.each([
    ['', 0, 0], ['abc', 3, 3], ['é', 1, 2], ['€', 1, 3], ['😀', 1, 4], ['a😀b', 3, 6], ['\ud800', 1, 3], ['\udc00x', 2, 4],
  ])('%j is %d runes and %d bytes', (text, runes, bytes) => {
    expect(runeCount(text)).toBe(runes);
    expect(utf8Bytes(text)).toBe(bytes);
  });

  test('sizes for messages', () => {
    expect([showBytes(ETCD_MAX_REQUEST_BYTES), showBytes(ANNOTATIONS_MAX_BYTES), showBytes(1000)]).toEqual(['1.5 MiB', '256 KiB', '1000 bytes']);
  });

  test('an object etcd cannot store', () => {
    expect(storedSizeProblem({ data: 'x'.repeat(1024 * 1024) })).toBeUndefined();
    // Bytes, not characters: 400k four-byte characters are 1.6 MB.
    expect(storedSizeProblem({ data: '😀'.repeat(400 * 1024) })).toMatch(/^makes the object 1638[0-9]{3} bytes of JSON, more than etcd stores \(1\.5 MiB/);
  });
});

describe('annotation sizes in UTF-8 bytes, as the API server counts them', () => {
  test('a function\'s annotations past 256 KiB are refused; characters beyond ASCII count their bytes', () => {
    const { chart } = testChart('fns');
    // 90,000 three-byte characters: 90,000 UTF-16 units, 270,000 bytes.
    const annotations = { 'example.com/notes': '€'.repeat(90000) };
    expect(validationError(() => new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1', annotations })).message).toBe(
      'test/fn: annotations ("270017 bytes") exceed the 256 KiB the API server allows for an object\'s annotations; keep large data in a ConfigMap and reference it');
    new KnativeFunction(chart, 'ok', { image: 'ghcr.io/example/fn:1', annotations: { 'example.com/notes': 'x'.repeat(200000) } });
  });

  test('the schema validator\'s metadata check counts bytes too', () => {
    const meta = (value: string) => checkMetadata('v1', 'ConfigMap', { name: 'c', annotations: { a: value } });
    expect(meta('€'.repeat(90000))).toEqual(['/metadata/annotations total 270001 bytes exceeds 256KiB']);
    expect(meta('x'.repeat(90000))).toEqual([]);
  });
});

describe('media types (RFC 9110)', () => {
  test.each([
    ['application/json', 'application/json'], ['Application/JSON', 'application/json'], ['text/plain; charset=utf-8', 'text/plain'],
    ['text/plain;charset="utf-8"', 'text/plain'], ['application/cloudevents+json', 'application/cloudevents+json'], ['a/b ; ; x=y', 'a/b'],
  ])('%s is %s', (text, essence) => {
    expect(parseMediaType(text)?.essence).toBe(essence);
  });

  test.each(['text plain', 'text/', '/json', 'text/plain; charset', 'text/plain; a="b', 'text/plain;=x', 'tëxt/plain'])('%j is not a media type', (text) => {
    expect(parseMediaType(text)).toBeUndefined();
  });
});

describe('time zones as time.LoadLocation resolves them', () => {
  test.each(['UTC', 'Europe/Madrid', 'US/Pacific', 'EST5EDT', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'GMT', 'Asia/Kolkata', 'Asia/Calcutta'])('accepts %s', (zone) => {
    expect(timeZoneProblem(zone)).toBeUndefined();
  });

  test.each([
    ['europe/madrid', 'is not a time zone; Go looks zones up by file name, case-sensitively: did you mean "Europe/Madrid"?'],
    ['utc', 'is not a time zone; Go looks zones up by file name, case-sensitively: did you mean "UTC"?'],
    ['Local', 'means the local time zone of the pod that runs the schedule, not a zone of its own'],
    ['LOCAL', 'means the local time zone of the pod that runs the schedule, not a zone of its own'],
    ['', 'is empty'],
    ['Mars/Olympus', `is not an IANA time zone (tzdata ${TZDATA_VERSION})`],
    ['Europe/../Europe/Madrid', `is not an IANA time zone (tzdata ${TZDATA_VERSION})`],
    ['posix/Europe/Madrid', `is not an IANA time zone (tzdata ${TZDATA_VERSION})`],
    ['CEST', `is not an IANA time zone (tzdata ${TZDATA_VERSION})`],
  ])('refuses %j', (zone, problem) => {
    expect(timeZoneProblem(zone)).toBe(problem);
  });

  test('the generator reads zones and links of a tzdata.zi, and renders the module it is read from', () => {
    const tz = parseTzdataZi('# version 2099z\nR d 1916 o - Jun 14 23s 1 S\nZ Europe/Madrid -0:14:44 - LMT 1901\nL America/Los_Angeles US/Pacific\nZ America/Los_Angeles -7:52:58 - LMT 1883\n');
    expect(tz).toEqual({ version: '2099z', names: ['America/Los_Angeles', 'Europe/Madrid', 'US/Pacific'] });
    expect(renderTimeZonesModule(tz, 'a test')).toContain("export const TZDATA_VERSION = '2099z';");
    expect(() => parseTzdataZi('Z Europe/Madrid 0 - LMT')).toThrow('has no "# version" line');
    const committed = readFileSync(join(__dirname, '..', '..', 'constructs', 'core', 'time-zones.ts'), 'utf8');
    const source = /Source: (.*)\.\n/.exec(committed)![1];
    expect(renderTimeZonesModule({ version: TZDATA_VERSION, names: [...TIME_ZONE_NAMES].sort() }, source)).toBe(committed);
  });

  // The machine's tzdata (Debian's tzdata package) is what Go reads on Debian-based images: every name must be a
  // TZif file there, and the committed list must be the machine's when the releases match.
  const zoneinfo = '/usr/share/zoneinfo';
  const zi = join(zoneinfo, 'tzdata.zi');
  runsWhen(existsSync(zi), `${zi} is missing (apt-get install tzdata)`).test('every name is a TZif file of the machine\'s tzdata; the list is that tzdata\'s when the releases match', () => {
    const machine = parseTzdataZi(readFileSync(zi, 'utf8'));
    const notFiles = [...TIME_ZONE_NAMES].filter((name) => {
      const file = join(zoneinfo, name);
      return !existsSync(file) || readFileSync(file).subarray(0, 4).toString('latin1') !== 'TZif';
    });
    expect(notFiles).toEqual([]);
    // tzdb keeps retired names as backward links, so a newer release of the same data mostly adds; a machine whose
    // packaging splits links out (Debian 13's tzdata-legacy) fails the first check above and says so.
    if (machine.version === TZDATA_VERSION) expect(machine.names).toEqual([...TIME_ZONE_NAMES].sort());
    else expect([...TIME_ZONE_NAMES].filter((n) => !machine.names.includes(n))).toEqual([]);
  });
});
