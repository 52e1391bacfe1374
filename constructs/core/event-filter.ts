/**
 * Trigger filters in the CloudEvents Subscriptions API dialect (Knative `spec.filters`): exact, prefix, suffix, all,
 * any, not and CESQL. Brokers that only filter by exact attributes (the RabbitMQ broker) get the equivalent
 * `spec.filter.attributes` when the filters are exact matches, and a clear error otherwise.
 */
import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { CloudEventType, requireEventType } from './event-type';

/** CloudEvents attribute names: lowercase letters and digits, starting with a letter (Knative's rule). */
const ATTRIBUTE = /^[a-z][a-z0-9]{0,19}$/;

const EVENT_FILTER = Symbol.for('platform-blueprints.EventFilter');

type Kind = 'type' | 'exact' | 'prefix' | 'suffix' | 'all' | 'any' | 'not' | 'cesql';

export class EventFilter {
  /** True for every EventFilter, also one made by another copy of this library. */
  public static isEventFilter(x: unknown): x is EventFilter {
    return typeof x === 'object' && x !== null && (x as any)[EVENT_FILTER] === true;
  }

  /** Events of this type (exact match on `type`); the subscription consumes it, for the event catalog. */
  public static type(type: CloudEventType): EventFilter {
    return new EventFilter('type', { eventType: type });
  }

  /** Events whose attributes equal these values (every one must match). Use `type()` for the `type` attribute. */
  public static exact(attributes: { [attribute: string]: string }): EventFilter {
    return new EventFilter('exact', { attributes });
  }

  /** Events whose attribute starts with the value. */
  public static prefix(attribute: string, value: string): EventFilter {
    return new EventFilter('prefix', { attributes: { [attribute]: value } });
  }

  /** Events whose attribute ends with the value. */
  public static suffix(attribute: string, value: string): EventFilter {
    return new EventFilter('suffix', { attributes: { [attribute]: value } });
  }

  /** Events matching every filter. */
  public static all(filters: EventFilter[]): EventFilter {
    return new EventFilter('all', { children: filters });
  }

  /** Events matching at least one filter. */
  public static any(filters: EventFilter[]): EventFilter {
    return new EventFilter('any', { children: filters });
  }

  /** Events not matching the filter. */
  public static not(filter: EventFilter): EventFilter {
    return new EventFilter('not', { children: [filter] });
  }

  /** A CloudEvents SQL expression, e.g. `source LIKE '%/games/%' AND level > 3`. */
  public static cesql(expression: string): EventFilter {
    return new EventFilter('cesql', { expression });
  }

  private constructor(
    private readonly kind: Kind,
    private readonly spec: { eventType?: CloudEventType; attributes?: { [k: string]: string }; children?: EventFilter[]; expression?: string },
  ) {
    Object.defineProperty(this, EVENT_FILTER, { value: true });
  }

  /**
   * Checks the filter and renders it as Subscriptions API expressions (a list: all must match).
   * @internal
   */
  public _render(scope: IConstruct, field: string): any[] {
    switch (this.kind) {
      case 'type':
        requireEventType(scope, `${field}.type`, this.spec.eventType as CloudEventType);
        return [{ exact: { type: this.spec.eventType!.type } }];
      case 'exact':
      case 'prefix':
      case 'suffix': {
        const entries = Object.entries(this.spec.attributes ?? {});
        if (entries.length === 0) invalid(scope, `${field}.${this.kind}`, this.spec.attributes, 'must name at least one attribute');
        for (const [attribute, value] of entries) {
          if (!ATTRIBUTE.test(attribute)) {
            invalid(scope, `${field}.${this.kind}`, attribute, 'is not a CloudEvents attribute name', 'use lowercase letters and digits, starting with a letter, at most 20');
          }
          if (this.kind === 'exact' && attribute === 'type') {
            invalid(scope, `${field}.exact`, attribute, 'filters on the event type', 'use EventFilter.type(CloudEventType.of(...)) so the event catalog knows what is consumed');
          }
          if (typeof value !== 'string' || value === '') invalid(scope, `${field}.${this.kind}.${attribute}`, value, 'must be a non-empty string');
        }
        // Knative accepts one attribute per exact/prefix/suffix expression.
        return entries.map(([attribute, value]) => ({ [this.kind]: { [attribute]: value } }));
      }
      case 'all':
      case 'any': {
        const children = this.spec.children ?? [];
        if (children.length === 0) invalid(scope, `${field}.${this.kind}`, [], 'must hold at least one filter');
        return [{ [this.kind]: children.flatMap((c, i) => c._render(scope, `${field}.${this.kind}[${i}]`)) }];
      }
      case 'not': {
        const inner = this.spec.children![0]._render(scope, `${field}.not`);
        return [{ not: inner.length === 1 ? inner[0] : { all: inner } }];
      }
      case 'cesql':
        return [{ cesql: requireCesql(scope, `${field}.cesql`, this.spec.expression) }];
    }
  }

  /**
   * The exact attribute matches this filter is made of, or undefined when it uses anything else (prefix, any, ...).
   * @internal
   */
  public _exactAttributes(): { [attribute: string]: string } | undefined {
    switch (this.kind) {
      case 'type':
        return { type: this.spec.eventType!.type };
      case 'exact':
        return { ...this.spec.attributes };
      case 'all': {
        const merged: { [k: string]: string } = {};
        for (const child of this.spec.children ?? []) {
          const attrs = child._exactAttributes();
          if (!attrs) return undefined;
          for (const [k, v] of Object.entries(attrs)) {
            if (merged[k] !== undefined && merged[k] !== v) return undefined;
            merged[k] = v;
          }
        }
        return merged;
      }
      default:
        return undefined;
    }
  }

  /**
   * The event types this filter requires (exact `type` matches reachable through `all`).
   * @internal
   */
  public _requiredTypes(): CloudEventType[] {
    if (this.kind === 'type') return [this.spec.eventType!];
    if (this.kind === 'all') return (this.spec.children ?? []).flatMap((c) => c._requiredTypes());
    return [];
  }

  /** Short description for messages and the catalog. */
  public toString(): string {
    switch (this.kind) {
      case 'type':
        return `type=${this.spec.eventType!.type}`;
      case 'exact':
      case 'prefix':
      case 'suffix':
        return Object.entries(this.spec.attributes ?? {}).map(([k, v]) => `${k}${this.kind === 'exact' ? '=' : ` ${this.kind} `}${v}`).join(' & ');
      case 'all':
        return (this.spec.children ?? []).map((c) => c.toString()).join(' & ');
      case 'any':
        return `(${(this.spec.children ?? []).map((c) => c.toString()).join(' | ')})`;
      case 'not':
        return `not(${this.spec.children![0].toString()})`;
      case 'cesql':
        return `sql(${this.spec.expression})`;
    }
  }
}

/** A CESQL expression: non-empty, quotes and parentheses balanced (the Knative webhook parses it fully). */
function requireCesql(scope: IConstruct, field: string, expression: string | undefined): string {
  if (typeof expression !== 'string' || expression.trim() === '') return invalid(scope, field, expression, 'must be a non-empty CESQL expression');
  let depth = 0;
  let quote: string | undefined;
  for (const ch of expression) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '\'' || ch === '"') {
      quote = ch;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth--;
      if (depth < 0) break;
    }
  }
  if (quote || depth !== 0) invalid(scope, field, expression, 'has unbalanced quotes or parentheses');
  return expression;
}
