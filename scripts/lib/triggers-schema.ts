/**
 * Strict schemas for the Tekton Triggers kinds this library emits (`triggers.tekton.dev/v1beta1` EventListener,
 * Trigger, TriggerBinding, TriggerTemplate), written for this project from the Go types of tektoncd/triggers v0.37.0
 * (pkg/apis/triggers/v1beta1/*_types.go, param.go). The upstream CRDs at that version carry no schema at all (their
 * root is `x-kubernetes-preserve-unknown-fields`), so without these a misspelt field would pass validation and be
 * ignored by the Triggers webhook's decoder. JSON field names are the Go `json` tags; an unknown field is an error.
 *
 * The schemas are CRD-shaped (openAPIV3Schema) so the SchemaValidator loads them like any pinned CRD; core
 * Kubernetes types the Go types embed (LabelSelector, PodTemplateSpec, ObjectReference) refer to the pinned
 * Kubernetes OpenAPI documents. Status subtrees are left out: the library never writes status.
 */

const GROUP = 'triggers.tekton.dev';
const VERSION = 'v1beta1';
/** The Kubernetes 1.27 OpenAPI document of core/v1 and meta/v1, as the SchemaValidator registers it. */
const CORE = 'k8s:api__v1#/components/schemas/';

type Schema = { [keyword: string]: any };

const str: Schema = { type: 'string' };
const int32: Schema = { type: 'integer', format: 'int32' };
const strings: Schema = { type: 'array', items: str };
const core = (name: string): Schema => ({ $ref: `${CORE}${name}` });
const obj = (properties: { [name: string]: Schema }, required: string[] = []): Schema =>
  ({ type: 'object', properties, ...(required.length ? { required } : {}) });
const list = (items: Schema): Schema => ({ type: 'array', items });
/** Any JSON value (Go `apiextensionsv1.JSON`). */
const anyJson: Schema = { 'x-kubernetes-preserve-unknown-fields': true };

/** event_listener_types.go L177-181 */
const namespaceSelector = obj({ matchNames: strings });
/** trigger_types.go L108-117; InterceptorKind L120-127 */
const interceptorRef = obj({ name: str, kind: { type: 'string', enum: ['ClusterInterceptor', 'NamespacedInterceptor'] }, apiVersion: str });
/** tektoncd/pipeline v1beta1.Param: a name and a string, array or object value (WebhookInterceptor.Header). */
const pipelineParam = obj({
  name: str,
  value: { anyOf: [str, strings, { type: 'object', additionalProperties: str }] },
}, ['name', 'value']);
/** trigger_types.go L144-156 */
const webhookInterceptor = obj({ objectRef: core('io.k8s.api.core.v1.ObjectReference'), url: str, header: list(pipelineParam) });
/** trigger_types.go L102-105 */
const interceptorParams = obj({ name: str, value: anyJson }, ['name', 'value']);
/** trigger_types.go L88-99 */
const triggerInterceptor = obj({ name: str, ref: interceptorRef, params: list(interceptorParams), webhook: webhookInterceptor }, ['ref']);
/** trigger_types.go L51-69; TriggerBindingKind event_listener_types.go L195-202 */
const triggerSpecBinding = obj({
  name: str, value: str, ref: str, kind: { type: 'string', enum: ['TriggerBinding', 'ClusterTriggerBinding'] }, apiversion: str,
});
/** param.go L5-15 */
const paramSpec = obj({ name: str, description: str, default: str }, ['name']);
/** param.go L18-21 */
const param = obj({ name: str, value: str }, ['name', 'value']);
/**
 * trigger_template_types.go L30-35: resource templates are raw objects (`runtime.RawExtension`); the Triggers
 * webhook requires their apiVersion and kind (trigger_template_validation.go).
 */
const triggerTemplateSpec = obj({
  params: list(paramSpec),
  resourcetemplates: list({ type: 'object', required: ['apiVersion', 'kind'], 'x-kubernetes-preserve-unknown-fields': true }),
});
/** trigger_types.go L45-49 */
const triggerSpecTemplate = obj({ ref: str, apiversion: str, spec: triggerTemplateSpec });
/** trigger_types.go L30-43 */
const triggerSpec = obj({
  bindings: list(triggerSpecBinding), template: triggerSpecTemplate, name: str, interceptors: list(triggerInterceptor), serviceAccountName: str,
}, ['template']);
/** event_listener_types.go L93-110 */
const eventListenerTrigger = obj({
  bindings: list(triggerSpecBinding), template: triggerSpecTemplate, triggerRef: str, name: str, interceptors: list(triggerInterceptor),
  serviceAccountName: str,
});
/** event_listener_types.go L113-124 */
const eventListenerTriggerGroup = obj({
  name: str,
  interceptors: list(triggerInterceptor),
  triggerSelector: obj({ namespaceSelector, labelSelector: core('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector') }),
}, ['name', 'interceptors', 'triggerSelector']);
/** event_listener_types.go L81-87; `spec` is knative duckv1.WithPodSpec: `{ template: PodTemplateSpec }`. */
const kubernetesResource = obj({
  replicas: int32,
  serviceType: { type: 'string', enum: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] },
  servicePort: int32,
  serviceLoadBalancerClass: str,
  spec: obj({ template: core('io.k8s.api.core.v1.PodTemplateSpec') }),
});
/** event_listener_types.go L59-79 (EventListenerSpec, Resources, CustomResource) */
const eventListenerSpec = obj({
  serviceAccountName: str,
  triggers: list(eventListenerTrigger),
  triggerGroups: list(eventListenerTriggerGroup),
  namespaceSelector,
  labelSelector: core('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'),
  resources: obj({ kubernetesResource, customResource: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }),
  cloudEventURI: str,
});

/** `spec` of each kind, as the Go types define it. */
export const TRIGGERS_SPEC_SCHEMAS: { readonly [kind: string]: Schema } = {
  EventListener: eventListenerSpec,
  Trigger: triggerSpec,
  TriggerBinding: obj({ params: list(param) }),
  TriggerTemplate: triggerTemplateSpec,
};

const PLURALS: { [kind: string]: string } = {
  EventListener: 'eventlisteners', Trigger: 'triggers', TriggerBinding: 'triggerbindings', TriggerTemplate: 'triggertemplates',
};

/**
 * CustomResourceDefinitions carrying these schemas, for `SchemaValidator`: they take the place of the schema-less
 * upstream ones for these four kinds.
 */
export function triggersCustomResourceDefinitions(): any[] {
  return Object.entries(TRIGGERS_SPEC_SCHEMAS).map(([kind, spec]) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURALS[kind]}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind, plural: PLURALS[kind] },
      versions: [{ name: VERSION, served: true, storage: true, schema: { openAPIV3Schema: obj({ spec }, ['spec']) } }],
    },
  }));
}

/** Where these schemas come from, for messages. */
export const TRIGGERS_SCHEMA_SOURCE = 'tekton-triggers v0.37.0 (schemas written from the Go types)';
