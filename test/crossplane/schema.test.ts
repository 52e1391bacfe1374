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

  test.each([
    ['a default outside its enum', SchemaField.string({ enum: ['a'], default: 'b' }), 'f.default ("b") does not fit its own field: f.default ("b") must be one of a'],
    ['a default beyond its maximum', SchemaField.integer({ maximum: 3, default: 4 }), 'f.default (4) does not fit its own field'],
    ['minimum above maximum', SchemaField.number({ minimum: 2, maximum: 1 }), 'f.minimum (2) must be <= maximum (1)'],
    ['a fractional integer bound', SchemaField.integer({ minimum: 0.5 }), 'f.minimum (0.5) must be a whole number'],
    ['minLength above maxLength', SchemaField.string({ minLength: 5, maxLength: 2 }), 'f.minLength (5) must be <= maxLength (2)'],
    ['a negative length', SchemaField.string({ maxLength: -1 }), 'f.maxLength (-1) must be a whole number >= 0'],
    ['an empty enum', SchemaField.string({ enum: [] }), 'f.enum ([]) must list at least one string'],
    ['a repeated enum value', SchemaField.string({ enum: ['a', 'a'] }), 'f.enum ("a") is listed twice'],
    ['a lookahead pattern', SchemaField.string({ pattern: '^(?=a)' }), 'f.pattern ("^(?=a)") uses lookaround, which RE2 does not support'],
    ['a back-reference', SchemaField.string({ pattern: '(a)\\1' }), 'uses a back-reference, which RE2 does not support'],
    ['a broken pattern', SchemaField.string({ pattern: '(' }), 'f.pattern ("(") is not a regular expression'],
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
