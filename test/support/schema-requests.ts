/**
 * Requests generated from an API's own schema (a SchemaField), for property-based tests of anything that takes
 * requests: the bundle specs, the Kratix pipeline.
 *
 * - `validSpec(field)`: values the schema accepts — every bound, enum, pattern and required field respected — drawn
 *   mostly from a pool of realistic values (real image references, the names and paths requests use), so that
 *   references across fields (a route naming a function, a subscription a type a publisher sends) sometimes hold
 *   and sometimes do not: what the schema cannot check, the constructs must refuse with a ValidationError.
 * - `invalidSpec(field)`: a valid value with one place broken (a wrong type, a number out of range, a value
 *   outside an enum, a string too long, an unknown field, a required field left out): the schema must refuse it.
 * - `request(field)`: a whole request (name, namespace, spec), as Kratix hands it to a pipeline.
 */
import * as fc from 'fast-check';
import { SchemaField, SchemaType } from '../../constructs';

export interface SchemaRequestOptions {
  /**
   * Values tried before random ones; each is used only where the field accepts it.
   * @default REALISTIC_VALUES
   */
  readonly pool?: unknown[];
  /** Longest list or map generated (below the schema's own maximum). @default 4 */
  readonly maxItems?: number;
  /** Share of values drawn from the pool where some fit (0..1). @default 0.8 */
  readonly poolShare?: number;
  /**
   * Values tried first for fields of a given name (e.g. every `image`), before the general pool.
   * @default VALUES_BY_FIELD
   */
  readonly byField?: { [fieldName: string]: unknown[] };
  /**
   * Share of optional fields present (0..1): low, so that each request sets a few fields, as real ones do, and
   * the rules across fields are met often enough to reach the build.
   * @default 0.35
   */
  readonly optionalShare?: number;
}

/** Values requests really carry: names, images, paths, event types, sizes. */
export const REALISTIC_VALUES: unknown[] = [
  'hello', 'echo', 'api', 'redis', 'gateway', 'default', 'rabbitmq', 'team-a', 'orders', 'orders-events',
  'ghcr.io/knative/helloworld-go:latest', 'docker.io/mendhak/http-https-echo:37', 'docker.io/library/nginx:1.27.3',
  'docker.io/library/redis:7.4.1', 'docker.io/library/rabbitmq:4.0.5-management',
  'ghcr.io/acme/app@sha256:' + 'ab'.repeat(32),
  '/', '/api/hello', '/api/echo', '/api/hello/v1',
  'dev.example.greeting', 'dev.example.game.score', 'dev.knative.sources.ping',
  '100m', '250m', '1', '64Mi', '256Mi', '1Gi', '2Gi', '10Gi',
  'BROKER_URI', 'TARGET', 'tls-secret', 'standard',
  0, 1, 2, 3, 5, 8080, true, false,
];

/** Values for fields of these names: real image references, the functions' names, paths, event types. */
export const VALUES_BY_FIELD: { [fieldName: string]: unknown[] } = {
  image: ['docker.io/mendhak/http-https-echo:37', 'docker.io/library/redis:7.4.1', 'docker.io/library/rabbitmq:4.0.5-management',
    'ghcr.io/acme/app@sha256:' + 'ab'.repeat(32), 'ghcr.io/knative/helloworld-go:latest'],
  deadLetterImage: ['gcr.io/knative-releases/knative.dev/eventing/cmd/event_display@sha256:' + 'cd'.repeat(32)],
  name: ['hello', 'echo', 'api', 'orders', 'audit'],
  function: ['hello', 'echo', 'api'],
  path: ['/', '/api/hello', '/api/echo', '/api/hello/v1'],
  type: ['dev.example.greeting', 'dev.example.game.score'],
};

/** A value the field accepts. */
export function validSpec(field: SchemaField, options: SchemaRequestOptions = {}): fc.Arbitrary<any> {
  return valid(field, opts(options));
}

interface Opts {
  readonly pool: unknown[];
  readonly maxItems: number;
  readonly poolShare: number;
  readonly optionalShare: number;
  readonly byField: { [fieldName: string]: unknown[] };
}

function opts(options: SchemaRequestOptions): Opts {
  return {
    pool: options.pool ?? REALISTIC_VALUES, maxItems: options.maxItems ?? 4, poolShare: options.poolShare ?? 0.8,
    optionalShare: options.optionalShare ?? 0.35, byField: options.byField ?? VALUES_BY_FIELD,
  };
}

function valid(field: SchemaField, o: Opts, name?: string): fc.Arbitrary<any> {
  const s = field.toOpenApiSchema();
  const fits = (v: unknown) => field.validate(v, 'x').length === 0;
  const fromPool = (random: fc.Arbitrary<any>): fc.Arbitrary<any> => {
    const named = (name !== undefined && Object.prototype.hasOwnProperty.call(o.byField, name) ? o.byField[name] : []).filter(fits);
    const choices = named.length ? named : o.pool.filter(fits);
    if (!choices.length) return random;
    const share = Math.round(o.poolShare * 100);
    return fc.oneof({ weight: share, arbitrary: fc.constantFrom(...choices) }, { weight: 100 - share, arbitrary: random });
  };
  switch (field.type) {
    case SchemaType.STRING: {
      if (s.enum) return fc.constantFrom(...(s.enum as string[]));
      const min = s.minLength ?? 0;
      const max = Math.min(s.maxLength ?? 24, min + 24);
      const random = s.pattern
        ? fc.stringMatching(new RegExp(s.pattern)).map((v) => v.slice(0, max))
        : fc.string({ minLength: min, maxLength: max, unit: 'grapheme-ascii' });
      return fromPool(random.filter(fits));
    }
    case SchemaType.INTEGER:
    case SchemaType.NUMBER: {
      const min = s.minimum ?? -1000;
      const max = s.maximum ?? 100000;
      const random = field.type === SchemaType.INTEGER ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      return fromPool(fc.oneof(random, fc.constantFrom(min, max)));
    }
    case SchemaType.BOOLEAN:
      return fc.boolean();
    case SchemaType.ARRAY: {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(s.maxItems ?? o.maxItems, o.maxItems));
      // Items of a list named in the plural draw from the values of the singular (`types` → `type`).
      const item = valid(field.items!, o, name?.replace(/s$/, ''));
      if (s['x-kubernetes-list-type'] === 'set') return fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) });
      // Lists of named things (functions) mostly name each once, as people write them; now and then not.
      if (field.items!.fields?.name?.required) {
        return fc.oneof({ weight: 9, arbitrary: fc.uniqueArray(item, { minLength, maxLength, selector: (v: any) => v?.name }) }, { weight: 1, arbitrary: fc.array(item, { minLength, maxLength }) });
      }
      return fc.array(item, { minLength, maxLength });
    }
    case SchemaType.OBJECT: {
      if (field.values) {
        const maxKeys = Math.min(s.maxProperties ?? o.maxItems, o.maxItems);
        // Map keys are not restricted by a structural schema: mostly variable-like names, now and then odd ones.
        const key = fc.oneof({ weight: 9, arbitrary: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,11}$/) }, { weight: 1, arbitrary: fc.constantFrom('1X', 'with space', 'a.b', '') });
        return fc.dictionary(key, valid(field.values, o), { maxKeys, noNullPrototype: true });
      }
      const present = Math.round(o.optionalShare * 100);
      const arbs = Object.fromEntries(Object.entries(field.fields ?? {}).map(([k, f]) => [k, f.required && f.default === undefined
        ? valid(f, o, k)
        : fc.oneof({ weight: 100 - present, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: valid(f, o, k) })]));
      return fc.record(arbs).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
    }
  }
}

/** A value the field refuses: a valid one broken in one place (see the module comment). */
export function invalidSpec(field: SchemaField, options: SchemaRequestOptions = {}): fc.Arbitrary<any> {
  const o = opts(options);
  // Not filtered: every breakage is one the schema must refuse, and the tests check that it does.
  return fc.tuple(valid(field, o), fc.nat(), fc.nat()).map(([value, where, how]) => breakOne(field, value, where, how));
}

/** Every spot of a value, with the field that describes it. */
function spots(field: SchemaField, value: any, path: Array<string | number> = []): Array<{ path: Array<string | number>; field: SchemaField; value: any }> {
  const here = [{ path, field, value }];
  if (field.type === SchemaType.ARRAY && Array.isArray(value)) return [...here, ...value.flatMap((v, i) => spots(field.items!, v, [...path, i]))];
  if (field.type === SchemaType.OBJECT && value && typeof value === 'object') {
    if (field.values) return [...here, ...Object.entries(value).flatMap(([k, v]) => spots(field.values!, v, [...path, k]))];
    return [...here, ...Object.entries(value).flatMap(([k, v]) => (field.fields?.[k] ? spots(field.fields[k], v, [...path, k]) : []))];
  }
  return here;
}

/** Ways to break a value of a field, each one the schema must refuse. */
function breakages(field: SchemaField): Array<(v: any) => any> {
  const s = field.toOpenApiSchema();
  const out: Array<(v: any) => any> = [];
  switch (field.type) {
    case SchemaType.STRING:
      out.push(() => 42);
      if (s.enum) out.push(() => 'not-one-of-them');
      if (s.maxLength !== undefined) out.push(() => 'a'.repeat(s.maxLength + 1));
      if (s.pattern) out.push(() => 'Not Valid!');
      break;
    case SchemaType.INTEGER:
    case SchemaType.NUMBER:
      out.push(() => 'seven');
      if (s.maximum !== undefined) out.push(() => s.maximum + 1);
      if (s.minimum !== undefined) out.push(() => s.minimum - 1);
      if (field.type === SchemaType.INTEGER) out.push(() => 1.5);
      break;
    case SchemaType.BOOLEAN:
      out.push(() => 'yes');
      break;
    case SchemaType.ARRAY:
      out.push(() => ({ not: 'a list' }));
      if (s.maxItems !== undefined) out.push(() => Array.from({ length: s.maxItems + 1 }, () => undefined));
      break;
    case SchemaType.OBJECT:
      out.push(() => ['not', 'an', 'object']);
      if (!field.values) {
        out.push((v) => ({ ...v, unknownField: 'x' }));
        for (const [k, f] of Object.entries(field.fields ?? {})) {
          if (f.required && f.default === undefined) out.push((v) => Object.fromEntries(Object.entries(v).filter(([key]) => key !== k)));
        }
      } else if (s.maxProperties !== undefined) {
        out.push(() => Object.fromEntries(Array.from({ length: s.maxProperties + 1 }, (_, i) => [`K${i}`, undefined])));
      }
      break;
  }
  return out;
}

function breakOne(field: SchemaField, value: any, where: number, how: number): any {
  const all = spots(field, value);
  const spot = all[where % all.length];
  const ways = breakages(spot.field);
  const broken = ways[how % ways.length](spot.value);
  return setAt(value, spot.path, broken);
}

function setAt(value: any, path: Array<string | number>, replacement: any): any {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = Array.isArray(value) ? [...value] : { ...value };
  (copy as any)[head] = setAt((value as any)[head], rest, replacement);
  return copy;
}

/** A request as Kratix hands it to a pipeline: its name and namespace, and a spec the schema accepts. */
export function request(field: SchemaField, options: SchemaRequestOptions = {}): fc.Arbitrary<{ name: string; namespace: string; spec: any }> {
  return fc.record({
    name: fc.oneof(fc.constantFrom('team-a', 'orders', 'shop'), fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/)),
    namespace: fc.constantFrom('default', 'team-a', 'platform-requests'),
    spec: validSpec(field, options),
  });
}

