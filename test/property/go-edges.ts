/**
 * Generators aimed at the edges where Go's rules and JavaScript's differ: strings of astral-plane characters around
 * a length limit, regular expressions mixing RE2-only and JavaScript-only syntax, time zone names in odd case, data
 * sizes around etcd's limit, route paths nginx normalises, and broker graphs that may loop.
 */
import * as fc from 'fast-check';

/** One character of 1 to 4 UTF-8 bytes and 1 or 2 UTF-16 units. */
const char = fc.constantFrom('a', 'Z', '7', 'é', 'ß', '€', '中', '😀', '𝄞', '🇪');

/** A string of `n` code points around a limit, mixing BMP and astral-plane characters. */
export const stringAround = (limit: number) => fc.integer({ min: Math.max(0, limit - 3), max: limit + 3 })
  .chain((n) => fc.array(char, { minLength: n, maxLength: n })).map((chars) => chars.join(''));

export interface PatternPiece {
  readonly text: string;
  /** Whether Go's regexp.Compile accepts the piece (alone or concatenated with other accepted pieces). */
  readonly go: boolean;
}

/** Pieces of patterns: RE2 syntax JavaScript lacks, JavaScript syntax RE2 lacks, and repeats around 1000. */
const piece: fc.Arbitrary<PatternPiece> = fc.oneof(
  fc.constantFrom(
    { text: '(?P<word>[a-z]+)', go: true }, { text: '(?<n>x)', go: true }, { text: '[[:alpha:]]', go: true }, { text: '[[:^digit:]]', go: true },
    { text: '\\z', go: true }, { text: '\\A', go: true }, { text: '(?i:ab)', go: true }, { text: '\\Q.*+\\E', go: true }, { text: '\\pL', go: true },
    { text: '\\p{Greek}', go: true }, { text: '\\x{1F600}', go: true }, { text: '[^\\n]', go: true }, { text: 'a*?', go: true }, { text: '(?s:.)', go: true },
    { text: '\\u0041', go: false }, { text: '\\cA', go: false }, { text: '(a)\\1', go: false }, { text: '(?=a)', go: false }, { text: '(?<!b)', go: false },
    { text: 'a++', go: false }, { text: '\\Z', go: false }, { text: '(?x:a)', go: false }, { text: '\\k<n>', go: false }, { text: '[b-a]', go: false },
  ),
  fc.integer({ min: 990, max: 1010 }).map((n) => ({ text: `x{${n}}`, go: n <= 1000 })),
  fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1100 })).map(([a, b]) => ({ text: `y{${a},${b}}`, go: a <= b && b <= 1000 })),
);

/** A pattern of concatenated pieces (no nesting, so a repeat's count is its own), with whether Go compiles it. */
export const pattern = fc.array(piece, { minLength: 1, maxLength: 4 }).map((pieces) => ({
  // Named groups must have distinct names in Go: number them.
  text: pieces.map((p, i) => p.text.replace('<word>', `<word${i}>`).replace('<n>', `<n${i}>`)).join(''),
  go: pieces.every((p) => p.go),
}));

/** A time zone name: a real one, in its own case or another, or a near miss. */
export const timeZone = (names: string[]) => fc.tuple(fc.constantFrom(...names), fc.constantFrom('same', 'lower', 'upper', 'flip', 'suffix', 'local'))
  .map(([name, how]) => {
    switch (how) {
      case 'lower': return name.toLowerCase();
      case 'upper': return name.toUpperCase();
      case 'flip': return name.replace(/[A-Za-z]/, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
      case 'suffix': return `${name}x`;
      case 'local': return ['Local', 'local', 'LOCAL'][name.length % 3];
      default: return name;
    }
  });

/** PingSource data of about `bytes` UTF-8 bytes (± 48 KiB), as a JSON object. */
export const dataAround = (bytes: number) => fc.tuple(fc.integer({ min: -48 * 1024, max: 48 * 1024 }), fc.constantFrom('x', 'é', '€', '😀'))
  .map(([delta, c]) => `{"d":"${c.repeat(Math.floor((bytes + delta) / Buffer.byteLength(c)))}"}`);

/** A route path: mostly plain segments, with dot segments, empty segments and percent-encoding mixed in. */
export const routePath = fc.array(fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9._~-]{0,5}$/) },
  { weight: 1, arbitrary: fc.constantFrom('.', '..', '', '...', '.well-known', '%2e', '%2E%2E', '%7Eu', 'a%2Fb') },
), { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join('/')}`);

export type Filter = 'all' | 'order' | 'refund' | 'prefix';

export interface BrokerWiring {
  /**
   * Subscriptions `[from broker, to, filter, dead-letter sink]`: `to` and the sink are a broker's index, or 3 for a
   * function; the filter is 'all', a type filter, or a prefix (beyond exact matches); the sink is the subscription's
   * own (its `delivery.deadLetterSink`), or none.
   */
  readonly subscriptions: Array<[number, number, Filter, number | undefined]>;
  /** A dead-letter sink per broker: another broker's index, or none. */
  readonly deadLetters: Array<number | undefined>;
}

/** Three brokers and a function wired at random: subscriptions between them (themselves included), dead letters of brokers and of subscriptions. */
export const brokerWiring: fc.Arbitrary<BrokerWiring> = fc.record({
  subscriptions: fc.array(fc.tuple(
    fc.nat({ max: 2 }),
    fc.nat({ max: 3 }),
    fc.constantFrom<Filter>('all', 'order', 'refund', 'prefix'),
    fc.option(fc.nat({ max: 3 }), { nil: undefined, freq: 2 }),
  ), { maxLength: 6 }),
  deadLetters: fc.array(fc.option(fc.nat({ max: 2 }), { nil: undefined }), { minLength: 3, maxLength: 3 }),
});
