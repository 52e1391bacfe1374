/**
 * Tekton Triggers' CRDs (v0.37.0) carry no schema, so its L1 is typed by hand: these tests hold the field names of the
 * hand-typed classes (constructs/imports/triggers.tekton.dev.ts) and of the strict schemas the validator uses
 * (scripts/lib/triggers-schema.ts) to the `json` tags of the Go types, listed here from tektoncd/triggers@v0.37.0
 * pkg/apis/triggers/v1beta1 (file and lines cited per struct).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { tektonTriggers as tt } from '../../constructs';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { TRIGGERS_SPEC_SCHEMAS, triggersCustomResourceDefinitions } from '../../scripts/lib/triggers-schema';

/** The json names of each Go struct, in declaration order. */
const GO_FIELDS: Array<{ struct: string; source: string; json: string[]; schema: string[]; l1: (o: any) => any }> = [
  {
    struct: 'EventListenerSpec', source: 'event_listener_types.go L59-70',
    json: ['serviceAccountName', 'triggers', 'triggerGroups', 'namespaceSelector', 'labelSelector', 'resources', 'cloudEventURI'],
    schema: ['EventListener'], l1: tt.toJson_EventListenerSpec,
  },
  { struct: 'Resources', source: 'event_listener_types.go L72-75', json: ['kubernetesResource', 'customResource'], schema: ['EventListener', 'resources'], l1: tt.toJson_EventListenerResources },
  {
    struct: 'KubernetesResource', source: 'event_listener_types.go L81-87 (duckv1.WithPodSpec is `spec`)',
    json: ['replicas', 'serviceType', 'servicePort', 'serviceLoadBalancerClass', 'spec'],
    schema: ['EventListener', 'resources', 'kubernetesResource'], l1: tt.toJson_EventListenerKubernetesResource,
  },
  {
    struct: 'EventListenerTrigger', source: 'event_listener_types.go L93-110',
    json: ['bindings', 'template', 'triggerRef', 'name', 'interceptors', 'serviceAccountName'],
    schema: ['EventListener', 'triggers[]'], l1: tt.toJson_EventListenerTrigger,
  },
  {
    struct: 'EventListenerTriggerGroup', source: 'event_listener_types.go L113-118', json: ['name', 'interceptors', 'triggerSelector'],
    schema: ['EventListener', 'triggerGroups[]'], l1: tt.toJson_EventListenerTriggerGroup,
  },
  {
    struct: 'EventListenerTriggerSelector', source: 'event_listener_types.go L121-124', json: ['namespaceSelector', 'labelSelector'],
    schema: ['EventListener', 'triggerGroups[]', 'triggerSelector'], l1: tt.toJson_EventListenerTriggerSelector,
  },
  { struct: 'NamespaceSelector', source: 'event_listener_types.go L177-181', json: ['matchNames'], schema: ['EventListener', 'namespaceSelector'], l1: tt.toJson_NamespaceSelector },
  {
    struct: 'TriggerSpec', source: 'trigger_types.go L30-43', json: ['bindings', 'template', 'name', 'interceptors', 'serviceAccountName'],
    schema: ['Trigger'], l1: tt.toJson_TriggerSpec,
  },
  { struct: 'TriggerSpecTemplate', source: 'trigger_types.go L45-49', json: ['ref', 'apiversion', 'spec'], schema: ['Trigger', 'template'], l1: tt.toJson_TriggerSpecTemplate },
  {
    struct: 'TriggerSpecBinding', source: 'trigger_types.go L51-69', json: ['name', 'value', 'ref', 'kind', 'apiversion'],
    schema: ['Trigger', 'bindings[]'], l1: tt.toJson_TriggerSpecBinding,
  },
  {
    struct: 'TriggerInterceptor', source: 'trigger_types.go L88-99', json: ['name', 'ref', 'params', 'webhook'],
    schema: ['Trigger', 'interceptors[]'], l1: tt.toJson_TriggerInterceptor,
  },
  { struct: 'InterceptorParams', source: 'trigger_types.go L102-105', json: ['name', 'value'], schema: ['Trigger', 'interceptors[]', 'params[]'], l1: tt.toJson_InterceptorParam },
  { struct: 'InterceptorRef', source: 'trigger_types.go L108-117', json: ['name', 'kind', 'apiVersion'], schema: ['Trigger', 'interceptors[]', 'ref'], l1: tt.toJson_InterceptorRef },
  {
    struct: 'WebhookInterceptor', source: 'trigger_types.go L144-156', json: ['objectRef', 'url', 'header'],
    schema: ['Trigger', 'interceptors[]', 'webhook'], l1: tt.toJson_WebhookInterceptor,
  },
  { struct: 'TriggerBindingSpec', source: 'trigger_binding_types.go L41-45', json: ['params'], schema: ['TriggerBinding'], l1: tt.toJson_TriggerBindingSpec },
  { struct: 'Param', source: 'param.go L18-21', json: ['name', 'value'], schema: ['TriggerBinding', 'params[]'], l1: tt.toJson_TriggerBindingParam },
  { struct: 'TriggerTemplateSpec', source: 'trigger_template_types.go L30-35', json: ['params', 'resourcetemplates'], schema: ['TriggerTemplate'], l1: tt.toJson_TriggerTemplateSpec },
  { struct: 'ParamSpec', source: 'param.go L5-15', json: ['name', 'description', 'default'], schema: ['TriggerTemplate', 'params[]'], l1: tt.toJson_TriggerTemplateParam },
];

/** The schema node at a path of property names (`x[]` steps into the items of array `x`). */
function schemaAt(kind: string, steps: string[]): any {
  let node = TRIGGERS_SPEC_SCHEMAS[kind];
  for (const step of steps) {
    const name = step.replace(/\[\]$/, '');
    node = node.properties[name];
    if (step.endsWith('[]')) node = node.items;
  }
  return node;
}

/**
 * An object with every property of the L1 interface set (the TypeScript name is the json name, but `cloudEventUri`
 * for `cloudEventURI`, as cdk8s import spells it). An empty list passes every nested converter and stays set.
 */
function everyField(json: string[]): any {
  return Object.fromEntries(json.map((j) => [j === 'cloudEventURI' ? 'cloudEventUri' : j, []]));
}

describe('Tekton Triggers v1beta1 field names (Go json tags)', () => {
  test.each(GO_FIELDS.map((f) => [f.struct, f.source, f]))('%s (%s): the schema and the L1 class use exactly the Go json names', (_s, _src, f: any) => {
    const [kind, ...steps] = f.schema;
    expect(Object.keys(schemaAt(kind, steps).properties)).toEqual(f.json);
    // The L1 conversion writes each field under its json name.
    const converted = f.l1(everyField(f.json));
    expect(Object.keys(converted)).toEqual(f.json);
  });

  test('the kinds: EventListener, Trigger, TriggerBinding, TriggerTemplate at triggers.tekton.dev/v1beta1, with `spec` (register.go, *_types.go)', () => {
    expect([tt.EventListener, tt.Trigger, tt.TriggerBinding, tt.TriggerTemplate].map((c) => c.GVK)).toEqual(
      ['EventListener', 'Trigger', 'TriggerBinding', 'TriggerTemplate'].map((kind) => ({ apiVersion: 'triggers.tekton.dev/v1beta1', kind })));
    // The upstream CRDs of these kinds are the ones whose schema we replace: they preserve every unknown field.
    const dir = path.join(SchemaValidator.load().location, 'tekton-triggers', 'v0.37.0');
    for (const file of ['300-eventlistener.yaml', '300-trigger.yaml', '300-triggerbinding.yaml', '300-triggertemplate.yaml']) {
      const crd = parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((d) => d.toJS()).find((d) => d?.kind === 'CustomResourceDefinition');
      const upstream = crd.spec.versions.find((v: any) => v.name === 'v1beta1').schema.openAPIV3Schema;
      expect({ file, root: upstream }).toEqual({ file, root: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } });
      const ours = triggersCustomResourceDefinitions().find((c) => c.spec.names.kind === crd.spec.names.kind);
      expect([ours.metadata.name, ours.spec.names.plural, ours.spec.scope]).toEqual([crd.metadata.name, crd.spec.names.plural, crd.spec.scope]);
    }
  });
});

describe('the strict schemas reject what the Go types do not have', () => {
  const v = SchemaValidator.load();
  const meta = { name: 'x', namespace: 'ci' };
  const obj = (kind: string, spec: any) => ({ apiVersion: 'triggers.tekton.dev/v1beta1', kind, metadata: meta, spec });

  test.each([
    ['EventListener', { serviceAccountName: 'sa', triggers: [{ triggerRef: 't' }], cloudEventUri: 'http://x' }, /unknown field "cloudEventUri"/],
    ['EventListener', { resources: { kubernetesResource: { servicePort: 80, spec: { template: { spec: { containers: [{ name: 'c', resourcez: {} }] } } } } } }, /resourcez/],
    ['EventListener', { resources: { kubernetesResource: { serviceType: 'Internal' } } }, /serviceType/],
    ['Trigger', { template: { ref: 'tt' }, bindings: [{ ref: 'tb', apiVersion: 'v1beta1' }] }, /unknown field "apiVersion"/],
    ['Trigger', { template: { ref: 'tt' }, interceptors: [{ ref: { name: 'cel', apiversion: 'x' } }] }, /unknown field "apiversion"/],
    ['Trigger', { template: { ref: 'tt' }, interceptors: [{ ref: { name: 'cel', kind: 'Interceptor' } }] }, /kind/],
    ['Trigger', { bindings: [] }, /template/],
    ['TriggerBinding', { params: [{ name: 'a', value: '$(body.a)', default: 'x' }] }, /unknown field "default"/],
    ['TriggerTemplate', { params: [{ name: 'a' }], resourceTemplates: [] }, /unknown field "resourceTemplates"/],
    ['TriggerTemplate', { resourcetemplates: [{ metadata: { name: 'x' } }] }, /apiVersion|kind/],
  ])('%s %j', (kind, spec, message) => {
    expect(v.validate(obj(kind as string, spec)).join('\n')).toMatch(message as RegExp);
  });

  test('and accept the full shapes of the Go types', () => {
    expect(v.validateAll([
      obj('EventListener', {
        serviceAccountName: 'sa', triggers: [{ triggerRef: 't' }, { name: 'inline', bindings: [{ name: 'a', value: 'b' }], template: { ref: 'tt' }, interceptors: [{ ref: { name: 'cel' } }] }],
        triggerGroups: [{ name: 'g', interceptors: [{ ref: { name: 'cel', kind: 'ClusterInterceptor' }, params: [{ name: 'filter', value: 'true' }] }], triggerSelector: { labelSelector: { matchLabels: { a: 'b' } } } }],
        namespaceSelector: { matchNames: ['*'] }, labelSelector: { matchLabels: { team: 'a' } }, cloudEventURI: 'http://sink',
        resources: { kubernetesResource: { replicas: 2, serviceType: 'ClusterIP', servicePort: 80, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } } } } },
      }),
      obj('Trigger', {
        name: 'n', serviceAccountName: 'sa', bindings: [{ ref: 'tb', kind: 'ClusterTriggerBinding', apiversion: 'v1beta1' }],
        template: { spec: { params: [{ name: 'p', description: 'd', default: 'x' }], resourcetemplates: [{ apiVersion: 'v1', kind: 'ConfigMap' }] } },
        interceptors: [{ name: 'w', ref: { name: 'github', kind: 'ClusterInterceptor', apiVersion: 'triggers.tekton.dev/v1alpha1' }, params: [{ name: 'eventTypes', value: ['push'] }] },
          { ref: { name: 'x' }, webhook: { url: 'http://w', header: [{ name: 'h', value: 'v' }, { name: 'l', value: ['a'] }], objectRef: { kind: 'Service', name: 's', apiVersion: 'v1' } } }],
      }),
      obj('TriggerBinding', { params: [{ name: 'a', value: '$(body.a)' }] }),
      obj('TriggerTemplate', { params: [{ name: 'a' }], resourcetemplates: [{ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun', metadata: { generateName: 'x-' } }] }),
    ])).toEqual([]);
  });
});
