/**
 * CloudEvent types as first-class values: producers declare the types they emit, subscriptions the type they
 * consume, and the platform checks that every consumed type has a producer.
 */
import { IConstruct } from 'constructs';
import { invalid } from './errors';

const CLOUD_EVENT_TYPE = Symbol.for('platform-blueprints.CloudEventType');

export interface CloudEventTypeOptions {
  /**
   * What the event means (shown in the event catalog and the Knative EventType).
   * @default - none
   */
  readonly description?: string;
  /**
   * URI of the schema of the event's data.
   * @default - none
   */
  readonly schema?: string;
}

/** A CloudEvent `type` attribute, e.g. `dev.example.game.score`. */
export class CloudEventType {
  /** Emitted by every PingSource. */
  public static readonly PING = new CloudEventType('dev.knative.sources.ping', false, { description: 'a scheduled ping from a PingSource' });
  /** ApiServerSource in Resource mode: an object was added, updated or deleted (the event carries the object). */
  public static readonly API_SERVER_RESOURCE_ADD = new CloudEventType('dev.knative.apiserver.resource.add', false, { description: 'a watched object was added' });
  public static readonly API_SERVER_RESOURCE_UPDATE = new CloudEventType('dev.knative.apiserver.resource.update', false, { description: 'a watched object was updated' });
  public static readonly API_SERVER_RESOURCE_DELETE = new CloudEventType('dev.knative.apiserver.resource.delete', false, { description: 'a watched object was deleted' });
  /** ApiServerSource in Reference mode: the same, carrying only a reference to the object. */
  public static readonly API_SERVER_REF_ADD = new CloudEventType('dev.knative.apiserver.ref.add', false, { description: 'a watched object was added (reference)' });
  public static readonly API_SERVER_REF_UPDATE = new CloudEventType('dev.knative.apiserver.ref.update', false, { description: 'a watched object was updated (reference)' });
  public static readonly API_SERVER_REF_DELETE = new CloudEventType('dev.knative.apiserver.ref.delete', false, { description: 'a watched object was deleted (reference)' });

  /** True for every CloudEventType, also one made by another copy of this library. */
  public static isCloudEventType(x: unknown): x is CloudEventType {
    return typeof x === 'object' && x !== null && (x as any)[CLOUD_EVENT_TYPE] === true;
  }

  /** A type produced by something on this platform (a source or a publisher must declare it). */
  public static of(type: string, options: CloudEventTypeOptions = {}): CloudEventType {
    return new CloudEventType(type, false, options);
  }

  /** A type produced outside the platform (e.g. by another cluster): subscribing to it needs no producer here. */
  public static external(type: string, options: CloudEventTypeOptions = {}): CloudEventType {
    return new CloudEventType(type, true, options);
  }

  public readonly description?: string;
  public readonly schema?: string;

  private constructor(public readonly type: string, public readonly isExternal: boolean, options: CloudEventTypeOptions) {
    this.description = options.description;
    this.schema = options.schema;
    Object.defineProperty(this, CLOUD_EVENT_TYPE, { value: true });
  }
}

/** Checks a type for use by a construct (non-empty, printable, no whitespace). */
export function requireEventType(scope: IConstruct, field: string, type: CloudEventType): CloudEventType {
  if (!CloudEventType.isCloudEventType(type)) invalid(scope, field, type, 'must be a CloudEventType', 'use CloudEventType.of("dev.example.thing.happened")');
  if (!/^[\x21-\x7e]{1,250}$/.test(type.type)) {
    invalid(scope, field, type.type, 'must be a non-empty CloudEvents type of printable characters without spaces', 'e.g. "dev.example.game.score"');
  }
  if (type.schema !== undefined && !/^[a-z][a-z0-9+.-]*:[^\s]+$/.test(type.schema)) {
    invalid(scope, `${field}.schema`, type.schema, 'must be an absolute URI');
  }
  return type;
}
