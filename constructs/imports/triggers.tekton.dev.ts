// Hand-typed from the Go types of tektoncd/triggers v0.37.0 (pkg/apis/triggers/v1beta1), not generated: the upstream
// CRDs carry no schema, so `cdk8s import` cannot type them. JSON field names are the Go json tags; the field-name tests
// (test/tekton/triggers-fields.test.ts) hold them to the Go types and to the strict schemas in scripts/lib/triggers-schema.ts.
// Kept by scripts/import-crds.ts (a module whose first line says "Hand-typed" is not replaced by an import).
/* eslint-disable */
import { ApiObject, ApiObjectMetadata, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';

/** The object without its undefined values. */
function compactObject(o: { [key: string]: any }): { [key: string]: any } {
  const r: { [key: string]: any } = {};
  for (const k of Object.keys(o)) if (o[k] !== undefined) r[k] = o[k];
  return r;
}


/** A Tekton Triggers EventListener (`triggers.tekton.dev/v1beta1`). */
export class EventListener extends ApiObject {
  /** Returns the apiVersion and kind for "EventListener". */
  public static readonly GVK: GroupVersionKind = {
    apiVersion: 'triggers.tekton.dev/v1beta1',
    kind: 'EventListener',
  }

  /** Renders a Kubernetes manifest for "EventListener" (e.g. to embed it). */
  public static manifest(props: EventListenerProps): any {
    return {
      ...EventListener.GVK,
      ...toJson_EventListenerProps(props),
    };
  }

  public constructor(scope: Construct, id: string, props: EventListenerProps) {
    super(scope, id, {
      ...EventListener.GVK,
      ...props,
    });
  }

  /** Renders the object to Kubernetes JSON. */
  public override toJson(): any {
    const resolved = super.toJson();
    return {
      ...EventListener.GVK,
      ...toJson_EventListenerProps(resolved),
    };
  }
}

export interface EventListenerProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: EventListenerSpec;
}

/** Converts an object of type 'EventListenerProps' to JSON representation. */
export function toJson_EventListenerProps(obj: EventListenerProps | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'metadata': obj.metadata,
    'spec': toJson_EventListenerSpec(obj.spec),
  });
}


/** A Tekton Triggers Trigger (`triggers.tekton.dev/v1beta1`). */
export class Trigger extends ApiObject {
  /** Returns the apiVersion and kind for "Trigger". */
  public static readonly GVK: GroupVersionKind = {
    apiVersion: 'triggers.tekton.dev/v1beta1',
    kind: 'Trigger',
  }

  /** Renders a Kubernetes manifest for "Trigger" (e.g. to embed it). */
  public static manifest(props: TriggerProps): any {
    return {
      ...Trigger.GVK,
      ...toJson_TriggerProps(props),
    };
  }

  public constructor(scope: Construct, id: string, props: TriggerProps) {
    super(scope, id, {
      ...Trigger.GVK,
      ...props,
    });
  }

  /** Renders the object to Kubernetes JSON. */
  public override toJson(): any {
    const resolved = super.toJson();
    return {
      ...Trigger.GVK,
      ...toJson_TriggerProps(resolved),
    };
  }
}

export interface TriggerProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: TriggerSpec;
}

/** Converts an object of type 'TriggerProps' to JSON representation. */
export function toJson_TriggerProps(obj: TriggerProps | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'metadata': obj.metadata,
    'spec': toJson_TriggerSpec(obj.spec),
  });
}


/** A Tekton Triggers TriggerBinding (`triggers.tekton.dev/v1beta1`). */
export class TriggerBinding extends ApiObject {
  /** Returns the apiVersion and kind for "TriggerBinding". */
  public static readonly GVK: GroupVersionKind = {
    apiVersion: 'triggers.tekton.dev/v1beta1',
    kind: 'TriggerBinding',
  }

  /** Renders a Kubernetes manifest for "TriggerBinding" (e.g. to embed it). */
  public static manifest(props: TriggerBindingProps): any {
    return {
      ...TriggerBinding.GVK,
      ...toJson_TriggerBindingProps(props),
    };
  }

  public constructor(scope: Construct, id: string, props: TriggerBindingProps) {
    super(scope, id, {
      ...TriggerBinding.GVK,
      ...props,
    });
  }

  /** Renders the object to Kubernetes JSON. */
  public override toJson(): any {
    const resolved = super.toJson();
    return {
      ...TriggerBinding.GVK,
      ...toJson_TriggerBindingProps(resolved),
    };
  }
}

export interface TriggerBindingProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: TriggerBindingSpec;
}

/** Converts an object of type 'TriggerBindingProps' to JSON representation. */
export function toJson_TriggerBindingProps(obj: TriggerBindingProps | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'metadata': obj.metadata,
    'spec': toJson_TriggerBindingSpec(obj.spec),
  });
}


/** A Tekton Triggers TriggerTemplate (`triggers.tekton.dev/v1beta1`). */
export class TriggerTemplate extends ApiObject {
  /** Returns the apiVersion and kind for "TriggerTemplate". */
  public static readonly GVK: GroupVersionKind = {
    apiVersion: 'triggers.tekton.dev/v1beta1',
    kind: 'TriggerTemplate',
  }

  /** Renders a Kubernetes manifest for "TriggerTemplate" (e.g. to embed it). */
  public static manifest(props: TriggerTemplateProps): any {
    return {
      ...TriggerTemplate.GVK,
      ...toJson_TriggerTemplateProps(props),
    };
  }

  public constructor(scope: Construct, id: string, props: TriggerTemplateProps) {
    super(scope, id, {
      ...TriggerTemplate.GVK,
      ...props,
    });
  }

  /** Renders the object to Kubernetes JSON. */
  public override toJson(): any {
    const resolved = super.toJson();
    return {
      ...TriggerTemplate.GVK,
      ...toJson_TriggerTemplateProps(resolved),
    };
  }
}

export interface TriggerTemplateProps {
  readonly metadata?: ApiObjectMetadata;
  readonly spec: TriggerTemplateSpec;
}

/** Converts an object of type 'TriggerTemplateProps' to JSON representation. */
export function toJson_TriggerTemplateProps(obj: TriggerTemplateProps | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'metadata': obj.metadata,
    'spec': toJson_TriggerTemplateSpec(obj.spec),
  });
}


/** A label selector (meta/v1 LabelSelector), as JSON. */
export interface LabelSelector {
  readonly matchLabels?: { [key: string]: string };
  readonly matchExpressions?: LabelSelectorRequirement[];
}

/** A label selector requirement (meta/v1 LabelSelectorRequirement). */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: string[];
}


/** event_listener_types.go EventListenerSpec (v0.37.0). */
export interface EventListenerSpec {
  /** ServiceAccount the listener runs as. */
  readonly serviceAccountName?: string;
  /** Triggers inline or by reference. */
  readonly triggers?: EventListenerTrigger[];
  /** Groups of triggers sharing interceptors. */
  readonly triggerGroups?: EventListenerTriggerGroup[];
  /** Namespaces whose Triggers the listener serves. */
  readonly namespaceSelector?: NamespaceSelector;
  /** Labels of the Triggers the listener serves. */
  readonly labelSelector?: LabelSelector;
  /** The workload the listener runs as. */
  readonly resources?: EventListenerResources;
  /** Where the listener sends its own lifecycle CloudEvents. */
  readonly cloudEventUri?: string;
}

/** Converts an object of type 'EventListenerSpec' to JSON representation. */
export function toJson_EventListenerSpec(obj: EventListenerSpec | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'serviceAccountName': obj.serviceAccountName,
    'triggers': obj.triggers?.map(y => toJson_EventListenerTrigger(y)),
    'triggerGroups': obj.triggerGroups?.map(y => toJson_EventListenerTriggerGroup(y)),
    'namespaceSelector': toJson_NamespaceSelector(obj.namespaceSelector),
    'labelSelector': obj.labelSelector,
    'resources': toJson_EventListenerResources(obj.resources),
    'cloudEventURI': obj.cloudEventUri,
  });
}

/** event_listener_types.go Resources (v0.37.0). */
export interface EventListenerResources {
  /** A Deployment and a Service. */
  readonly kubernetesResource?: EventListenerKubernetesResource;
  /** Any other workload kind (e.g. a Knative Service), as raw JSON. */
  readonly customResource?: any;
}

/** Converts an object of type 'EventListenerResources' to JSON representation. */
export function toJson_EventListenerResources(obj: EventListenerResources | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'kubernetesResource': toJson_EventListenerKubernetesResource(obj.kubernetesResource),
    'customResource': obj.customResource,
  });
}

/** event_listener_types.go KubernetesResource (v0.37.0). */
export interface EventListenerKubernetesResource {
  /** Replicas of the Deployment. */
  readonly replicas?: number;
  /** Type of the Service (ClusterIP, NodePort, LoadBalancer). */
  readonly serviceType?: string;
  /** Port of the Service. */
  readonly servicePort?: number;
  /** Load balancer class of the Service. */
  readonly serviceLoadBalancerClass?: string;
  /** Pod template merged into the Deployment. */
  readonly spec?: EventListenerPodTemplate;
}

/** Converts an object of type 'EventListenerKubernetesResource' to JSON representation. */
export function toJson_EventListenerKubernetesResource(obj: EventListenerKubernetesResource | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'replicas': obj.replicas,
    'serviceType': obj.serviceType,
    'servicePort': obj.servicePort,
    'serviceLoadBalancerClass': obj.serviceLoadBalancerClass,
    'spec': toJson_EventListenerPodTemplate(obj.spec),
  });
}

/** knative duckv1.WithPodSpec (v0.37.0). */
export interface EventListenerPodTemplate {
  /** A core PodTemplateSpec (metadata and spec), as JSON. */
  readonly template?: any;
}

/** Converts an object of type 'EventListenerPodTemplate' to JSON representation. */
export function toJson_EventListenerPodTemplate(obj: EventListenerPodTemplate | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'template': obj.template,
  });
}

/** event_listener_types.go EventListenerTrigger (v0.37.0). */
export interface EventListenerTrigger {
  /** Bindings that extract parameters. */
  readonly bindings?: TriggerSpecBinding[];
  /** The template that creates resources. */
  readonly template?: TriggerSpecTemplate;
  /** A Trigger by name, instead of inline fields. */
  readonly triggerRef?: string;
  /** Name of the inline trigger. */
  readonly name?: string;
  /** Interceptors run in order before the bindings. */
  readonly interceptors?: TriggerInterceptor[];
  /** ServiceAccount that creates the resources (impersonated). */
  readonly serviceAccountName?: string;
}

/** Converts an object of type 'EventListenerTrigger' to JSON representation. */
export function toJson_EventListenerTrigger(obj: EventListenerTrigger | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'bindings': obj.bindings?.map(y => toJson_TriggerSpecBinding(y)),
    'template': toJson_TriggerSpecTemplate(obj.template),
    'triggerRef': obj.triggerRef,
    'name': obj.name,
    'interceptors': obj.interceptors?.map(y => toJson_TriggerInterceptor(y)),
    'serviceAccountName': obj.serviceAccountName,
  });
}

/** event_listener_types.go EventListenerTriggerGroup (v0.37.0). */
export interface EventListenerTriggerGroup {
  /** Name of the group. */
  readonly name: string;
  /** Interceptors run before the selected triggers. */
  readonly interceptors: TriggerInterceptor[];
  /** Which Triggers the group runs. */
  readonly triggerSelector: EventListenerTriggerSelector;
}

/** Converts an object of type 'EventListenerTriggerGroup' to JSON representation. */
export function toJson_EventListenerTriggerGroup(obj: EventListenerTriggerGroup | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'name': obj.name,
    'interceptors': obj.interceptors?.map(y => toJson_TriggerInterceptor(y)),
    'triggerSelector': toJson_EventListenerTriggerSelector(obj.triggerSelector),
  });
}

/** event_listener_types.go EventListenerTriggerSelector (v0.37.0). */
export interface EventListenerTriggerSelector {
  /** Namespaces of the Triggers. */
  readonly namespaceSelector?: NamespaceSelector;
  /** Labels of the Triggers. */
  readonly labelSelector?: LabelSelector;
}

/** Converts an object of type 'EventListenerTriggerSelector' to JSON representation. */
export function toJson_EventListenerTriggerSelector(obj: EventListenerTriggerSelector | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'namespaceSelector': toJson_NamespaceSelector(obj.namespaceSelector),
    'labelSelector': obj.labelSelector,
  });
}

/** event_listener_types.go NamespaceSelector (v0.37.0). */
export interface NamespaceSelector {
  /** Namespace names; `*` for all. */
  readonly matchNames?: string[];
}

/** Converts an object of type 'NamespaceSelector' to JSON representation. */
export function toJson_NamespaceSelector(obj: NamespaceSelector | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'matchNames': obj.matchNames,
  });
}

/** trigger_types.go TriggerSpec (v0.37.0). */
export interface TriggerSpec {
  /** Bindings that extract parameters. */
  readonly bindings?: TriggerSpecBinding[];
  /** The template that creates resources. */
  readonly template: TriggerSpecTemplate;
  /** Name of the trigger. */
  readonly name?: string;
  /** Interceptors run in order before the bindings. */
  readonly interceptors?: TriggerInterceptor[];
  /** ServiceAccount that creates the resources (impersonated). */
  readonly serviceAccountName?: string;
}

/** Converts an object of type 'TriggerSpec' to JSON representation. */
export function toJson_TriggerSpec(obj: TriggerSpec | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'bindings': obj.bindings?.map(y => toJson_TriggerSpecBinding(y)),
    'template': toJson_TriggerSpecTemplate(obj.template),
    'name': obj.name,
    'interceptors': obj.interceptors?.map(y => toJson_TriggerInterceptor(y)),
    'serviceAccountName': obj.serviceAccountName,
  });
}

/** trigger_types.go TriggerSpecTemplate (v0.37.0). */
export interface TriggerSpecTemplate {
  /** A TriggerTemplate by name. */
  readonly ref?: string;
  /** API version of the referenced template. */
  readonly apiversion?: string;
  /** An inline template. */
  readonly spec?: TriggerTemplateSpec;
}

/** Converts an object of type 'TriggerSpecTemplate' to JSON representation. */
export function toJson_TriggerSpecTemplate(obj: TriggerSpecTemplate | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'ref': obj.ref,
    'apiversion': obj.apiversion,
    'spec': toJson_TriggerTemplateSpec(obj.spec),
  });
}

/** trigger_types.go TriggerSpecBinding (v0.37.0). */
export interface TriggerSpecBinding {
  /** Name of an inline parameter. */
  readonly name?: string;
  /** Value of an inline parameter. */
  readonly value?: string;
  /** A TriggerBinding or ClusterTriggerBinding by name. */
  readonly ref?: string;
  /** TriggerBinding or ClusterTriggerBinding. */
  readonly kind?: string;
  /** API version of the referenced binding. */
  readonly apiversion?: string;
}

/** Converts an object of type 'TriggerSpecBinding' to JSON representation. */
export function toJson_TriggerSpecBinding(obj: TriggerSpecBinding | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'name': obj.name,
    'value': obj.value,
    'ref': obj.ref,
    'kind': obj.kind,
    'apiversion': obj.apiversion,
  });
}

/** trigger_types.go TriggerInterceptor (v0.37.0). */
export interface TriggerInterceptor {
  /** Name of this interceptor step. */
  readonly name?: string;
  /** The interceptor to run. */
  readonly ref: InterceptorRef;
  /** Parameters of the interceptor. */
  readonly params?: InterceptorParam[];
  /** A webhook interceptor (deprecated form). */
  readonly webhook?: WebhookInterceptor;
}

/** Converts an object of type 'TriggerInterceptor' to JSON representation. */
export function toJson_TriggerInterceptor(obj: TriggerInterceptor | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'name': obj.name,
    'ref': toJson_InterceptorRef(obj.ref),
    'params': obj.params?.map(y => toJson_InterceptorParam(y)),
    'webhook': toJson_WebhookInterceptor(obj.webhook),
  });
}

/** trigger_types.go InterceptorParams (v0.37.0). */
export interface InterceptorParam {
  /** Parameter name. */
  readonly name: string;
  /** Any JSON value. */
  readonly value: any;
}

/** Converts an object of type 'InterceptorParam' to JSON representation. */
export function toJson_InterceptorParam(obj: InterceptorParam | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'name': obj.name,
    'value': obj.value,
  });
}

/** trigger_types.go InterceptorRef (v0.37.0). */
export interface InterceptorRef {
  /** Name of the interceptor (e.g. `cel`). */
  readonly name?: string;
  /** ClusterInterceptor (default) or NamespacedInterceptor. */
  readonly kind?: string;
  /** API version of the interceptor. */
  readonly apiVersion?: string;
}

/** Converts an object of type 'InterceptorRef' to JSON representation. */
export function toJson_InterceptorRef(obj: InterceptorRef | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'name': obj.name,
    'kind': obj.kind,
    'apiVersion': obj.apiVersion,
  });
}

/** trigger_types.go WebhookInterceptor (v0.37.0). */
export interface WebhookInterceptor {
  /** A core ObjectReference to a Service. */
  readonly objectRef?: any;
  /** The webhook URL. */
  readonly url?: string;
  /** Headers sent to the webhook. */
  readonly header?: WebhookHeader[];
}

/** Converts an object of type 'WebhookInterceptor' to JSON representation. */
export function toJson_WebhookInterceptor(obj: WebhookInterceptor | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'objectRef': obj.objectRef,
    'url': obj.url,
    'header': obj.header?.map(y => toJson_WebhookHeader(y)),
  });
}

/** tektoncd/pipeline v1beta1.Param (v0.37.0). */
export interface WebhookHeader {
  /** Header name. */
  readonly name: string;
  /** A string, a list of strings or a map of strings. */
  readonly value: any;
}

/** Converts an object of type 'WebhookHeader' to JSON representation. */
export function toJson_WebhookHeader(obj: WebhookHeader | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'name': obj.name,
    'value': obj.value,
  });
}

/** trigger_binding_types.go TriggerBindingSpec (v0.37.0). */
export interface TriggerBindingSpec {
  /** Parameters and the event values they take. */
  readonly params?: TriggerBindingParam[];
}

/** Converts an object of type 'TriggerBindingSpec' to JSON representation. */
export function toJson_TriggerBindingSpec(obj: TriggerBindingSpec | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'params': obj.params?.map(y => toJson_TriggerBindingParam(y)),
  });
}

/** param.go Param (v0.37.0). */
export interface TriggerBindingParam {
  /** Parameter name. */
  readonly name: string;
  /** Value, e.g. `$(body.x)`, `$(header.Ce-Id)`, `$(extensions.x)`. */
  readonly value: string;
}

/** Converts an object of type 'TriggerBindingParam' to JSON representation. */
export function toJson_TriggerBindingParam(obj: TriggerBindingParam | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'name': obj.name,
    'value': obj.value,
  });
}

/** trigger_template_types.go TriggerTemplateSpec (v0.37.0). */
export interface TriggerTemplateSpec {
  /** Parameters the template takes. */
  readonly params?: TriggerTemplateParam[];
  /** Objects to create, with `$(tt.params.x)` placeholders. */
  readonly resourcetemplates?: any[];
}

/** Converts an object of type 'TriggerTemplateSpec' to JSON representation. */
export function toJson_TriggerTemplateSpec(obj: TriggerTemplateSpec | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'params': obj.params?.map(y => toJson_TriggerTemplateParam(y)),
    'resourcetemplates': obj.resourcetemplates,
  });
}

/** param.go ParamSpec (v0.37.0). */
export interface TriggerTemplateParam {
  /** Parameter name. */
  readonly name: string;
  /** What the parameter means. */
  readonly description?: string;
  /** Value when no binding gives one. */
  readonly default?: string;
}

/** Converts an object of type 'TriggerTemplateParam' to JSON representation. */
export function toJson_TriggerTemplateParam(obj: TriggerTemplateParam | undefined): Record<string, any> | undefined {
  if (obj === undefined) { return undefined; }
  return compactObject({
    'name': obj.name,
    'description': obj.description,
    'default': obj.default,
  });
}
