/**
 * Knative Service lifecycle as CDEvents, with no controller of our own: an ApiServerSource (Resource mode) watches
 * the Knative Services that opt in by label and sends every change to an EventTransform, whose JSONata
 * (service-lifecycle-jsonata.ts) turns it into `service.deployed` / `service.upgraded` / `service.removed` — or into
 * the `unsettled` type when the change is not a lifecycle step (a transform must always return an event) — and
 * posts it to the sink (a broker).
 */
import { Construct } from 'constructs';
import { IEventSink, IEventSource } from '../core/contracts';
import { CloudEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { LABEL_PREFIX } from '../core/labels';
import { NamespacedResource } from '../core/resource';
import { requireEventSink, requireLabels, requireProps } from '../core/validate';
import { ApiServerSource, ApiServerSourceMode } from '../eventing/sources';
import { EventTransform } from '../eventing/transform';
import { serviceLifecycleExpression } from './service-lifecycle-jsonata';
import { CDEvents } from './vocabulary';

export interface ServiceLifecycleEventsProps {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** Where the CDEvents go (a broker). */
  readonly sink: IEventSink;
  /**
   * Namespaces whose Knative Services are watched; the source's ServiceAccount may read Services there, nothing else.
   * @default - the construct's own namespace
   */
  readonly watchNamespaces?: string[];
  /**
   * Labels a Knative Service must carry to be watched (the opt-in).
   * @default { 'platform-blueprints.io/cdevents': 'true' } (ServiceLifecycleEvents.OPT_IN_LABEL)
   */
  readonly selector?: { [key: string]: string };
}

/**
 * Knative Service lifecycle → CDEvents `service.deployed` / `service.upgraded` / `service.removed` into a sink.
 * Children: `Source` (ApiServerSource `<name>`, its ServiceAccount and Roles: get/list/watch on
 * `serving.knative.dev` services only) and `Transform` (EventTransform `<name>-cdevents`).
 */
export class ServiceLifecycleEvents extends NamespacedResource implements IEventSource {
  /** The label key a Knative Service carries (value `true`) to opt in, unless a selector is given. */
  public static readonly OPT_IN_LABEL = `${LABEL_PREFIX}/cdevents`;
  /**
   * What the transform emits for a change that is not a lifecycle step (created but not ready yet, a rollout in
   * progress, a status write of an older generation). No subscription should select it: it exists because an
   * EventTransform cannot drop an event.
   */
  public static readonly UNSETTLED = CloudEventType.of('io.platform-blueprints.ksvc.unsettled', {
    description: 'a Knative Service changed without a lifecycle step (not ready, or rolling out); not for subscriptions',
  });

  public readonly source: ApiServerSource;
  public readonly transform: EventTransform;
  public readonly sink: IEventSink;
  /** The CDEvents types it produces, and the unsettled type. */
  public readonly emits: CloudEventType[];
  /** The labels that opt a Service in. */
  public readonly selector: { [key: string]: string };

  public constructor(scope: Construct, id: string, props: ServiceLifecycleEventsProps) {
    // The source and transform names derive from it: `<name>` (at most 40) and `<name>-cdevents`.
    super(scope, id, props, { maxLength: 40, maxLengthReason: 'the ApiServerSource takes this name (its adapter Deployment\'s name derives from it)' });
    requireProps(this, props, 'give at least sink');
    if (props.sink === undefined) invalid(this, 'sink', props.sink, 'is required', 'pass the broker the CDEvents go to');
    requireEventSink(this, 'sink', props.sink, 'pass the broker the CDEvents go to');
    this.sink = props.sink;
    this.selector = { ...(props.selector ?? { [ServiceLifecycleEvents.OPT_IN_LABEL]: 'true' }) };
    requireLabels(this, 'selector', this.selector);
    if (Object.keys(this.selector).length === 0) {
      invalid(this, 'selector', this.selector, 'must name at least one label: an empty selector watches every Knative Service',
        `opt Services in with a label, e.g. { "${ServiceLifecycleEvents.OPT_IN_LABEL}": "true" }`);
    }
    this.emits = [CDEvents.SERVICE_DEPLOYED, CDEvents.SERVICE_UPGRADED, CDEvents.SERVICE_REMOVED, ServiceLifecycleEvents.UNSETTLED];
    this.transform = new EventTransform(this, 'Transform', {
      name: `${this.name}-cdevents`,
      namespace: this.namespace,
      expression: serviceLifecycleExpression({
        deployed: CDEvents.SERVICE_DEPLOYED.type,
        upgraded: CDEvents.SERVICE_UPGRADED.type,
        removed: CDEvents.SERVICE_REMOVED.type,
        unsettled: ServiceLifecycleEvents.UNSETTLED.type,
        deleteType: CloudEventType.API_SERVER_RESOURCE_DELETE.type,
      }),
      emits: this.emits,
      sink: props.sink,
    });
    this.source = new ApiServerSource(this, 'Source', {
      name: this.name,
      namespace: this.namespace,
      mode: ApiServerSourceMode.RESOURCE,
      resources: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', resource: 'services', labels: this.selector }],
      watchNamespaces: props.watchNamespaces,
      sink: this.transform,
    });
  }
}
