import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { SchemaField, StringFormat } from '../../constructs';
import { validationError } from '../support/k8s';
import { structuralProblems } from '../support/crossplane';

const scope = (): Construct => Testing.chart();

describe('SchemaField renders structural OpenAPI v3', () => {
  const spec = SchemaField.object({
    size: SchemaField.string({ enum: ['small', 'large'], default: 'small', description: 'how big' }),
    replicas: SchemaField.integer({ minimum: 1, maximum: 9, default: 1 }),
    ratio: SchemaField.number({ minimum: 0, maximum: 1 }),
    tls: SchemaField.boolean({ default: true }),
    name: SchemaField.string({ required: true, pattern: '^[a-z][a-z0-9-]*$', minLength: 1, maxLength: 40 }),
    email: SchemaField.string({ format: StringFormat.EMAIL }),
    zones: SchemaField.array(SchemaField.string(), { minItems: 1, maxItems: 3, set: true }),
    labels: SchemaField.map(SchemaField.string(), { maxProperties: 10 }),
    backup: SchemaField.object({ schedule: SchemaField.string({ required: true }), keep: SchemaField.integer({ minimum: 1 }) }),
  });

  test('every declaration maps to the OpenAPI keyword Kubernetes expects', () => {
    expect(spec.toOpenApiSchema()).toEqual({
      type: 'object',
      properties: {
        size: { type: 'string', description: 'how big', enum: ['small', 'large'], default: 'small' },
        replicas: { type: 'integer', default: 1, minimum: 1, maximum: 9 },
        ratio: { type: 'number', minimum: 0, maximum: 1 },
        tls: { type: 'boolean', default: true },
        name: { type: 'string', minLength: 1, maxLength: 40, pattern: '^[a-z][a-z0-9-]*$' },
        email: { type: 'string', format: 'email' },
        zones: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3, 'x-kubernetes-list-type': 'set' },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 10 },
        backup: { type: 'object', properties: { schedule: { type: 'string' }, keep: { type: 'integer', minimum: 1 } }, required: ['schedule'] },
      },
      required: ['name'],
    });
    expect(structuralProblems(spec.toOpenApiSchema())).toEqual([]);
    expect(() => spec.check(scope(), 'spec')).not.toThrow();
  });

  test('immutable fields carry a CEL transition rule; RE2 inline flags work', () => {
    expect(SchemaField.string({ immutable: true }).toOpenApiSchema()).toEqual({
      type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'is immutable; create a new one instead' }],
    });
    const caseless = SchemaField.string({ pattern: '(?i)^abc$' });
    expect(() => caseless.check(scope(), 'f')).not.toThrow();
    expect(caseless.validate('ABC', 'f')).toEqual([]);
    expect(caseless.validate('abd', 'f')).toEqual(['f ("abd") must match (?i)^abc$']);
  });

  test('patterns are Go\'s RE2: its own syntax compiles and matches as Go matches, JavaScript-only syntax is refused', () => {
    for (const pattern of ['^(?P<key>[a-z]+)=(?<value>.*)$', '^[[:alpha:]]+\\z', '(?i)^abc$', '^\\Q1+1\\E$', '^\\p{Greek}+$', '^a{1000}$']) {
      expect(() => SchemaField.string({ pattern }).check(scope(), 'f')).not.toThrow();
    }
    expect(SchemaField.string({ pattern: '^(?P<key>[a-z]+)=(?<value>.*)$' }).validate('a=1', 'f')).toEqual([]);
    expect(SchemaField.string({ pattern: '^[[:alpha:]]+\\z' }).validate('abc\n', 'f')).toEqual(['f ("abc\\n") must match ^[[:alpha:]]+\\z']);
    expect(SchemaField.string({ pattern: '^\\Q1+1\\E$' }).validate('1+1', 'f')).toEqual([]);
    // Go's \s is [\t\n\f\r ]: no vertical tab, no Unicode spaces (JavaScript's \s has both).
    expect(SchemaField.string({ pattern: '^\\s$' }).validate('\u00a0', 'f')).toEqual(['f ("\u00a0") must match ^\\s$']);
    expect(SchemaField.string({ pattern: '^\\s$' }).validate('\v', 'f')).toHaveLength(1);
    // `.` is one code point, also outside the Basic Multilingual Plane.
    expect(SchemaField.string({ pattern: '^.$' }).validate('😀', 'f')).toEqual([]);
  });

  test('lengths count characters as the API server does: runes (code points), not UTF-16 units', () => {
    const short = SchemaField.string({ minLength: 2, maxLength: 3 });
    expect(short.validate('😀😀😀', 'f')).toEqual([]);
    expect(short.validate('😀😀😀😀', 'f')).toEqual(['f ("😀😀😀😀") must have at most 3 characters']);
    expect(short.validate('😀', 'f')).toEqual(['f ("😀") must have at least 2 characters']);
    // A default is checked the same way when the API is declared.
    expect(() => SchemaField.string({ maxLength: 2, default: '𝄞𝄞' }).check(scope(), 'f')).not.toThrow();
  });

  test('values are checked with their path: type, enum, bounds, pattern, format, required, unknown fields, set items', () => {
    expect(spec.validate({ name: 'shop' }, 'spec')).toEqual([]);
    expect(spec.validate({ name: 'shop', size: 'huge', replicas: 10, ratio: 'x', tls: 'yes', email: 'nope', zones: ['a', 'a'], labels: { a: 1 } }, 'spec')).toEqual([
      'spec.size ("huge") must be one of small, large',
      'spec.replicas (10) must be <= 9',
      'spec.ratio ("x") must be a number',
      'spec.tls ("yes") must be true or false',
      'spec.email ("nope") is not a valid email',
      'spec.zones (["a","a"]) lists "a" twice, but its items are a set',
      'spec.labels.a (1) must be a string',
    ]);
    expect(spec.validate({ nme: 'x' }, 'spec')).toEqual([
      'spec.nme is not a field of this API; known fields: size, replicas, ratio, tls, name, email, zones, labels, backup',
      'spec.name is required',
    ]);
    expect(spec.validate({ name: 'Shop!' }, 'spec')).toEqual(['spec.name ("Shop!") must match ^[a-z][a-z0-9-]*$']);
    expect(spec.validate({ name: 'x', replicas: 1.5, backup: {} }, 'spec')).toEqual(['spec.replicas (1.5) must be a whole number', 'spec.backup.schedule is required']);
    // The API server applies a default before it checks required fields.
    expect(SchemaField.object({ a: SchemaField.string({ required: true, default: 'x' }) }).validate({}, 'spec')).toEqual([]);
    // A key of Object.prototype is no field.
    expect(spec.validate({ name: 'x', toString: 'y' }, 'spec')[0]).toContain('spec.toString is not a field of this API');
  });

  test('counts up to 2^53-1 are written as plain digits', () => {
    const field = SchemaField.string({ maxLength: Number.MAX_SAFE_INTEGER });
    expect(() => field.check(scope(), 'f')).not.toThrow();
    expect(JSON.stringify(field.toOpenApiSchema())).toBe('{"type":"string","maxLength":9007199254740991}');
  });

  test.each([
    ['a default outside its enum', SchemaField.string({ enum: ['a'], default: 'b' }), 'f.default ("b") does not fit its own field: f.default ("b") must be one of a'],
    ['a default beyond its maximum', SchemaField.integer({ maximum: 3, default: 4 }), 'f.default (4) does not fit its own field'],
    ['minimum above maximum', SchemaField.number({ minimum: 2, maximum: 1 }), 'f.minimum (2) must be <= maximum (1)'],
    ['a fractional integer bound', SchemaField.integer({ minimum: 0.5 }), 'f.minimum (0.5) must be a whole number'],
    ['minLength above maxLength', SchemaField.string({ minLength: 5, maxLength: 2 }), 'f.minLength (5) must be <= maxLength (2)'],
    ['a negative length', SchemaField.string({ maxLength: -1 }), 'f.maxLength (-1) must be >= 0'],
    ['a fractional length', SchemaField.string({ minLength: 1.5 }), 'f.minLength (1.5) must be a whole number'],
    // The API server decodes counts into Go int64: 1e21 would be written 1e+21, 2^63 as 9223372036854776000.
    ['a length written with an exponent', SchemaField.string({ maxLength: 1e21 }), 'f.maxLength (1e+21) must be within ±9007199254740991 (larger numbers are not written exactly)'],
    ['a count beyond int64', SchemaField.array(SchemaField.string(), { maxItems: 2 ** 63 }), 'f.maxItems (9223372036854776000) must be within ±9007199254740991'],
    ['a map bound beyond exact integers', SchemaField.map(SchemaField.string(), { maxProperties: 2 ** 53 }), 'f.maxProperties (9007199254740992) must be within ±9007199254740991'],
    ['an empty enum', SchemaField.string({ enum: [] }), 'f.enum ([]) must list at least one string'],
    ['a repeated enum value', SchemaField.string({ enum: ['a', 'a'] }), 'f.enum ("a") is listed twice'],
    ['a lookahead pattern', SchemaField.string({ pattern: '^(?=a)' }),
      'f.pattern ("^(?=a)") is not a regular expression Go compiles (error parsing regexp: invalid or unsupported Perl syntax: `(?=`); RE2 has no lookaround'],
    ['a back-reference', SchemaField.string({ pattern: '(a)\\1' }), 'invalid escape sequence: `\\1`); RE2 has no back-references'],
    ['a broken pattern', SchemaField.string({ pattern: '(' }), 'f.pattern ("(") is not a regular expression Go compiles (error parsing regexp: missing closing ): `(`)'],
    ['a JavaScript \\u escape', SchemaField.string({ pattern: '^\\u00e9$' }), 'invalid escape sequence: `\\u`); write a code point as \\x{00e9}'],
    ['a repeat over 1000', SchemaField.string({ pattern: '^(?:ab{10}){101}$' }), 'invalid repeat count: `{101}`); RE2 allows at most 1000 repetitions'],
    ['an unknown format', SchemaField.string({ format: 'color' as StringFormat }), 'f.format ("color") must be one of'],
    ['an object without fields', SchemaField.object({}), 'f ("{}") is an object without fields, so Kubernetes would drop everything in it; declare its fields, or use SchemaField.map(...)'],
    ['a bad field name', SchemaField.object({ 'max-size': SchemaField.string() }), 'f.max-size ("max-size") is not a field name'],
    ['a field that is no SchemaField', SchemaField.object({ a: { type: 'string' } as any }), 'f.a ({"type":"string"}) must be a SchemaField'],
    ['a set of objects', SchemaField.array(SchemaField.object({ a: SchemaField.string() }), { set: true }), 'f.set (true) needs scalar items'],
    ['minItems above maxItems', SchemaField.array(SchemaField.string(), { minItems: 3, maxItems: 1 }), 'f.minItems (3) must be <= maxItems (1)'],
    ['a required array item', SchemaField.array(SchemaField.string({ required: true })), 'f.items.required (true) has no meaning for array items'],
    ['a bad nested default', SchemaField.object({ a: SchemaField.boolean({ default: 'yes' as any }) }), 'f.a.default ("yes") does not fit its own field'],
  ])('rejects %s', (_case, field, message) => {
    expect(validationError(() => field.check(scope(), 'f')).message).toContain(message);
  });
});
