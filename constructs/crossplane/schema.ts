/**
 * Typed field declarations → a structural OpenAPI v3 schema, as Kubernetes requires of a CRD (and Crossplane of an
 * XRD's versions): every node typed, objects with declared fields or a declared value type, defaults and enums that
 * satisfy their own field, patterns a Go (RE2) regexp engine accepts. The same declarations check a claim's values
 * before anything is synthesized. Reused by anything that publishes an API (Kratix Promises later).
 */
import { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors';
import { re2Matches, re2Problem, runeCount } from '../core/go-rules';
import { escapeProperty } from '../core/k8s-rules';
import { requireSafeInteger } from '../core/numbers';

/** The JSON type of a field. */
export enum SchemaType {
  STRING = 'string',
  INTEGER = 'integer',
  NUMBER = 'number',
  BOOLEAN = 'boolean',
  OBJECT = 'object',
  ARRAY = 'array',
}

/** String formats the Kubernetes API server validates. */
export enum StringFormat {
  DATE = 'date',
  DATE_TIME = 'date-time',
  DURATION = 'duration',
  EMAIL = 'email',
  HOSTNAME = 'hostname',
  IPV4 = 'ipv4',
  IPV6 = 'ipv6',
  CIDR = 'cidr',
  URI = 'uri',
  UUID = 'uuid',
  BYTE = 'byte',
}

export interface FieldOptions {
  /** What the field means, for users of the API (`kubectl explain`). @default - none */
  readonly description?: string;
  /** The field must be given. @default false */
  readonly required?: boolean;
  /**
   * The field is fixed at creation (CEL transition rules the API server enforces), for values what they compose
   * cannot follow, e.g. a StatefulSet's volume size: its value cannot change, and an optional field without a
   * default can be neither set nor removed after creation (the object holding it gets `has(self.f) ==
   * has(oldSelf.f)`, since `self == oldSelf` is not evaluated when either value is absent). An optional object
   * holding an immutable field is fixed in the same way. Not inside lists or map values, whose items Kubernetes
   * cannot follow from one version to the next: make the whole list or map immutable instead.
   * @default false
   */
  readonly immutable?: boolean;
}

export interface StringFieldOptions extends FieldOptions {
  /** The allowed values. @default - any string */
  readonly enum?: string[];
  /** @default - none */
  readonly default?: string;
  /** @default - none */
  readonly minLength?: number;
  /** @default - none */
  readonly maxLength?: number;
  /** A regular expression (RE2 syntax: no lookaround, no back-references). @default - none */
  readonly pattern?: string;
  /** @default - none */
  readonly format?: StringFormat;
}

export interface NumberFieldOptions extends FieldOptions {
  /** @default - none */
  readonly default?: number;
  /** @default - none */
  readonly minimum?: number;
  /** @default - none */
  readonly maximum?: number;
}

export interface BooleanFieldOptions extends FieldOptions {
  /** @default - none */
  readonly default?: boolean;
}

export interface ArrayFieldOptions extends FieldOptions {
  /** @default - none */
  readonly minItems?: number;
  /** @default - none */
  readonly maxItems?: number;
  /** Items are unique values (`x-kubernetes-list-type: set`; scalar items only). @default false */
  readonly set?: boolean;
}

export interface MapFieldOptions extends FieldOptions {
  /** @default - none */
  readonly maxProperties?: number;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INT64_MAX = 2 ** 63;

/**
 * One field of an API's schema. Build with the static factories:
 * `SchemaField.object({ size: SchemaField.string({ enum: ['small', 'large'], default: 'small' }) })`.
 */
const SCHEMA_FIELD = Symbol.for('platform-blueprints.SchemaField');

export class SchemaField {
  /** True for every SchemaField, also one made by another copy of this library. */
  public static isSchemaField(x: unknown): x is SchemaField {
    return typeof x === 'object' && x !== null && (x as any)[SCHEMA_FIELD] === true;
  }

  public static string(options: StringFieldOptions = {}): SchemaField {
    return new SchemaField(SchemaType.STRING, options, {});
  }

  public static integer(options: NumberFieldOptions = {}): SchemaField {
    return new SchemaField(SchemaType.INTEGER, options, {});
  }

  public static number(options: NumberFieldOptions = {}): SchemaField {
    return new SchemaField(SchemaType.NUMBER, options, {});
  }

  public static boolean(options: BooleanFieldOptions = {}): SchemaField {
    return new SchemaField(SchemaType.BOOLEAN, options, {});
  }

  /** An object with these fields (and no others). */
  public static object(fields: { [name: string]: SchemaField }, options: FieldOptions = {}): SchemaField {
    return new SchemaField(SchemaType.OBJECT, options, { fields });
  }

  /** A list of items of one type. */
  public static array(items: SchemaField, options: ArrayFieldOptions = {}): SchemaField {
    return new SchemaField(SchemaType.ARRAY, options, { items });
  }

  /** A map from any string key to values of one type. */
  public static map(values: SchemaField, options: MapFieldOptions = {}): SchemaField {
    return new SchemaField(SchemaType.OBJECT, options, { values });
  }

  public readonly type: SchemaType;
  public readonly required: boolean;
  public readonly description?: string;
  /** Fields of an object. */
  public readonly fields?: { [name: string]: SchemaField };
  /** Item type of an array. */
  public readonly items?: SchemaField;
  /** Value type of a map. */
  public readonly values?: SchemaField;
  private readonly options: any;

  private constructor(type: SchemaType, options: FieldOptions, shape: { fields?: { [name: string]: SchemaField }; items?: SchemaField; values?: SchemaField }) {
    Object.defineProperty(this, SCHEMA_FIELD, { value: true });
    this.type = type;
    this.options = { ...options };
    this.required = options.required === true;
    this.description = options.description;
    this.fields = shape.fields;
    this.items = shape.items;
    this.values = shape.values;
  }

  /** The default value, if any. */
  public get default(): unknown {
    return this.options.default;
  }

  /** Allowed values of a string field, if restricted. */
  public get enum(): string[] | undefined {
    return this.options.enum;
  }

  /**
   * Checks the declaration against Kubernetes' rules for structural schemas (and sane bounds); throws a
   * ValidationError naming `field` (e.g. `spec.size`).
   */
  public check(scope: IConstruct, field: string): void {
    this.checkWithin(scope, field, undefined);
  }

  /** `check`, inside a list's items or a map's values (`within`), where no field can be immutable. */
  private checkWithin(scope: IConstruct, field: string, within: 'list' | 'map' | undefined): void {
    const o = this.options;
    if (o.immutable !== undefined && typeof o.immutable !== 'boolean') invalid(scope, `${field}.immutable`, o.immutable, 'must be true or false');
    if (o.immutable && within) {
      // The API server refuses a transition rule (oldSelf) below a list ("the uncorrelatable portion of the schema");
      // below a map an entry could be removed and added again with another value.
      invalid(scope, `${field}.immutable`, true, `cannot be used inside a ${within === 'list' ? 'list\'s items' : 'map\'s values'}`,
        `make the whole ${within} immutable instead`);
    }
    if (o.description !== undefined && typeof o.description !== 'string') invalid(scope, `${field}.description`, o.description, 'must be a string');
    switch (this.type) {
      case SchemaType.STRING:
        this.checkString(scope, field);
        break;
      case SchemaType.INTEGER:
      case SchemaType.NUMBER:
        this.checkNumber(scope, field);
        break;
      case SchemaType.ARRAY:
        if (!SchemaField.isSchemaField(this.items)) invalid(scope, `${field}.items`, this.items, 'must be a SchemaField', 'e.g. SchemaField.array(SchemaField.string())');
        checkCount(scope, field, 'minItems', o.minItems);
        checkCount(scope, field, 'maxItems', o.maxItems);
        if (o.minItems !== undefined && o.maxItems !== undefined && o.minItems > o.maxItems) invalid(scope, `${field}.minItems`, o.minItems, `must be <= maxItems (${o.maxItems})`);
        if (o.set && [SchemaType.OBJECT, SchemaType.ARRAY].includes(this.items.type)) {
          invalid(scope, `${field}.set`, true, 'needs scalar items', 'Kubernetes list-type "set" holds strings, numbers or booleans');
        }
        if (this.items.required) invalid(scope, `${field}.items.required`, true, 'has no meaning for array items', 'use minItems');
        this.items.checkWithin(scope, `${field}[]`, 'list');
        break;
      case SchemaType.OBJECT:
        if (this.values !== undefined) {
          if (!SchemaField.isSchemaField(this.values)) invalid(scope, `${field}.values`, this.values, 'must be a SchemaField');
          checkCount(scope, field, 'maxProperties', o.maxProperties);
          if (this.values.required) invalid(scope, `${field}.values.required`, true, 'has no meaning for map values');
          this.values.checkWithin(scope, `${field}{}`, 'map');
        } else {
          const names = Object.keys(this.fields ?? {});
          // Kubernetes prunes every field of an object that declares none: nothing could ever be stored there.
          if (names.length === 0) invalid(scope, field, '{}', 'is an object without fields, so Kubernetes would drop everything in it', 'declare its fields, or use SchemaField.map(...)');
          for (const name of names) {
            if (!FIELD_NAME.test(name)) invalid(scope, `${field}.${name}`, name, 'is not a field name', 'use letters, digits and "_", starting with a letter (camelCase by Kubernetes convention)');
            const child = this.fields![name];
            if (!SchemaField.isSchemaField(child)) invalid(scope, `${field}.${name}`, child, 'must be a SchemaField', 'e.g. SchemaField.string()');
            child.checkWithin(scope, `${field}.${name}`, within);
          }
        }
        break;
      case SchemaType.BOOLEAN:
        break;
    }
    if (o.default !== undefined) {
      // The API server validates defaults against their own field.
      const problems = this.validate(o.default, `${field}.default`);
      if (problems.length) invalid(scope, `${field}.default`, o.default, `does not fit its own field: ${problems[0]}`);
    }
  }

  private checkString(scope: IConstruct, field: string): void {
    const o = this.options;
    checkCount(scope, field, 'minLength', o.minLength);
    checkCount(scope, field, 'maxLength', o.maxLength);
    if (o.minLength !== undefined && o.maxLength !== undefined && o.minLength > o.maxLength) invalid(scope, `${field}.minLength`, o.minLength, `must be <= maxLength (${o.maxLength})`);
    if (o.enum !== undefined) {
      if (!Array.isArray(o.enum) || o.enum.length === 0 || o.enum.some((v: unknown) => typeof v !== 'string')) {
        invalid(scope, `${field}.enum`, o.enum, 'must list at least one string');
      }
      const dup = o.enum.find((v: string, i: number) => o.enum.indexOf(v) !== i);
      if (dup !== undefined) invalid(scope, `${field}.enum`, dup, 'is listed twice');
    }
    if (o.pattern !== undefined) {
      // The API server compiles a CRD's patterns with Go's regexp (RE2) and refuses the CRD when one does not compile.
      const problem = re2Problem(o.pattern);
      if (problem) invalid(scope, `${field}.pattern`, o.pattern, problem);
    }
    if (o.format !== undefined && !Object.values(StringFormat).includes(o.format)) {
      invalid(scope, `${field}.format`, o.format, `must be one of ${Object.values(StringFormat).join(', ')}`);
    }
  }

  private checkNumber(scope: IConstruct, field: string): void {
    const o = this.options;
    for (const key of ['minimum', 'maximum']) {
      const v = o[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || (this.type === SchemaType.INTEGER && !Number.isInteger(v))) {
        invalid(scope, `${field}.${key}`, v, `must be ${this.type === SchemaType.INTEGER ? 'a whole number' : 'a finite number'}`);
      }
    }
    if (o.minimum !== undefined && o.maximum !== undefined && o.minimum > o.maximum) invalid(scope, `${field}.minimum`, o.minimum, `must be <= maximum (${o.maximum})`);
  }

  /**
   * Problems of a value against this field (empty when it fits), each naming its path: what the API server's
   * schema validation would say of it (e.g. a request written against a platform API, before it reaches a cluster).
   */
  public validate(value: unknown, path: string): string[] {
    const o = this.options;
    const at = (rule: string) => [`${path} (${show(value)}) ${rule}`];
    switch (this.type) {
      case SchemaType.STRING: {
        if (typeof value !== 'string') return at('must be a string');
        if (o.enum && !o.enum.includes(value)) return at(`must be one of ${o.enum.join(', ')}`);
        // The API server counts characters as runes (Unicode code points), not UTF-16 units.
        if (o.minLength !== undefined && runeCount(value) < o.minLength) return at(`must have at least ${o.minLength} characters`);
        if (o.maxLength !== undefined && runeCount(value) > o.maxLength) return at(`must have at most ${o.maxLength} characters`);
        if (o.pattern !== undefined && !re2Matches(o.pattern, value)) return at(`must match ${o.pattern}`);
        if (o.format !== undefined) {
          const problem = formatProblem(o.format, value);
          if (problem) return at(problem);
        }
        return [];
      }
      case SchemaType.INTEGER:
      case SchemaType.NUMBER: {
        if (typeof value !== 'number' || !Number.isFinite(value)) return at('must be a number');
        if (this.type === SchemaType.INTEGER && (!Number.isInteger(value) || Math.abs(value) >= INT64_MAX)) return at('must be a whole number');
        if (o.minimum !== undefined && value < o.minimum) return at(`must be >= ${o.minimum}`);
        if (o.maximum !== undefined && value > o.maximum) return at(`must be <= ${o.maximum}`);
        return [];
      }
      case SchemaType.BOOLEAN:
        return typeof value === 'boolean' ? [] : at('must be true or false');
      case SchemaType.ARRAY: {
        if (!Array.isArray(value)) return at('must be a list');
        if (o.minItems !== undefined && value.length < o.minItems) return at(`must have at least ${o.minItems} items`);
        if (o.maxItems !== undefined && value.length > o.maxItems) return at(`must have at most ${o.maxItems} items`);
        if (o.set) {
          const dup = value.find((v, i) => value.indexOf(v) !== i);
          if (dup !== undefined) return [`${path} (${show(value)}) lists ${show(dup)} twice, but its items are a set`];
        }
        return value.flatMap((item, i) => this.items!.validate(item, `${path}[${i}]`));
      }
      case SchemaType.OBJECT: {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return at('must be an object');
        const entries = Object.entries(value as object);
        if (this.values) {
          if (o.maxProperties !== undefined && entries.length > o.maxProperties) return at(`must have at most ${o.maxProperties} entries`);
          return entries.flatMap(([k, v]) => this.values!.validate(v, `${path}.${k}`));
        }
        const fields = this.fields ?? {};
        const problems: string[] = [];
        for (const [k, v] of entries) {
          if (!Object.prototype.hasOwnProperty.call(fields, k)) problems.push(`${path}.${k} is not a field of this API; known fields: ${Object.keys(fields).join(', ')}`);
          else if (v !== undefined) problems.push(...fields[k].validate(v, `${path}.${k}`));
        }
        for (const [k, f] of Object.entries(fields)) {
          // The API server applies defaults before it checks required fields.
          if (f.required && (value as any)[k] === undefined && f.default === undefined) problems.push(`${path}.${k} is required`);
        }
        return problems;
      }
    }
  }

  /**
   * The OpenAPI v3 schema of this field (structural, as a CRD version's `openAPIV3Schema` holds it).
   */
  public toOpenApiSchema(): any {
    const o = this.options;
    const out: any = { type: this.type };
    if (this.description) out.description = this.description;
    if (this.fields) {
      out.properties = Object.fromEntries(Object.entries(this.fields).map(([k, f]) => [k, f.toOpenApiSchema()]));
      const required = Object.entries(this.fields).filter(([, f]) => f.required).map(([k]) => k);
      if (required.length) out.required = required;
    }
    if (this.values) out.additionalProperties = this.values.toOpenApiSchema();
    if (this.items) out.items = this.items.toOpenApiSchema();
    for (const key of ['enum', 'default', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'format', 'minItems', 'maxItems', 'maxProperties']) {
      if (o[key] !== undefined) out[key] = o[key];
    }
    if (o.set) out['x-kubernetes-list-type'] = 'set';
    const rules: Array<{ rule: string; message: string }> = [];
    if (o.immutable) rules.push({ rule: 'self == oldSelf', message: 'is immutable; create a new one instead' });
    // `self == oldSelf` is not evaluated when the old or the new value is absent: the object fixes whether each
    // immutable field (or optional object holding one) is there.
    for (const [name, child] of Object.entries(this.fields ?? {})) {
      if (child.required || child.default !== undefined || !child.fixedAtCreation) continue;
      const cel = escapeProperty(name)!;
      rules.push({
        rule: `has(self.${cel}) == has(oldSelf.${cel})`,
        message: child.options.immutable
          ? `${name} is immutable: it can be neither set nor removed after creation; create a new one instead`
          : `${name} holds immutable fields: it can be neither set nor removed after creation; create a new one instead`,
      });
    }
    if (rules.length) out['x-kubernetes-validations'] = rules;
    return out;
  }

  /** Whether the field, or a field of it, is immutable (so whether it is there is fixed at creation too). */
  private get fixedAtCreation(): boolean {
    return this.options.immutable === true || Object.values(this.fields ?? {}).some((f) => f.fixedAtCreation);
  }
}

/**
 * A count of a schema (`minLength`, `maxItems`, ...): the API server decodes it into a Go `int64`, so it must be a
 * whole number >= 0 written as plain digits (numbers.ts safeIntegerProblem).
 */
function checkCount(scope: IConstruct, field: string, key: string, value: unknown): void {
  if (value !== undefined) requireSafeInteger(scope, `${field}.${key}`, value, { min: 0 });
}

function formatProblem(format: StringFormat, value: string): string | undefined {
  const ok: { [f: string]: (v: string) => boolean } = {
    [StringFormat.DATE]: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
    [StringFormat.DATE_TIME]: (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v),
    [StringFormat.DURATION]: (v) => /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v),
    [StringFormat.EMAIL]: (v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v),
    [StringFormat.HOSTNAME]: (v) => v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i.test(v),
    [StringFormat.IPV4]: (v) => /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/.test(v),
    [StringFormat.IPV6]: (v) => /^[0-9a-f:]+$/i.test(v) && v.includes(':'),
    [StringFormat.CIDR]: (v) => /^[0-9a-f.:]+\/\d{1,3}$/i.test(v),
    [StringFormat.URI]: (v) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(v),
    [StringFormat.UUID]: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
    [StringFormat.BYTE]: (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0,
  };
  return ok[format](value) ? undefined : `is not a valid ${format}`;
}
