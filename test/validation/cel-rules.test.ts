/**
 * CEL rules (`x-kubernetes-validations`) as the strict validator evaluates them: the real rules of the pinned CRDs
 * passing and failing on what this library emits, the rules of the XRDs it generates, transition rules on updates,
 * and the Kubernetes semantics (typing, equality, escaping, messages, compile errors) on small CRDs made here.
 */
import { Chart, Testing } from 'cdk8s';
import { CrossplaneMode, KeyValueStoreClaim, PlatformApis, RabbitmqCluster, SchemaField, StoreProvider, StoreSize } from '../../constructs';
import { escapeProperty } from '../../scripts/lib/cel-rules';
import { withDefaults } from '../../scripts/lib/crd-schema';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { findObject, synthValid, testChart, validationError, validatorFor } from '../support/k8s';

const v = SchemaValidator.load();
const copy = <T>(o: T): T => JSON.parse(JSON.stringify(o));
/** A copy of `o` changed by `edit`. */
const edited = (o: any, edit: (c: any) => void): any => {
  const c = copy(o);
  edit(c);
  return c;
};

function platformApis(mode: CrossplaneMode) {
  const app = Testing.app();
  const chart = new Chart(app, 'apis', { disableResourceNameHashes: true });
  const apis = new PlatformApis(chart, 'Apis', { mode });
  return { app, chart, apis, objects: synthValid(chart) };
}

describe('the rules of the pinned CRDs', () => {
  const rules = v.celRules();

  test('every rule compiles, in the current and the compatibility (Crossplane 1.x) schemas', () => {
    expect(rules.filter((r) => r.error)).toEqual([]);
    expect(v.withPackage('crossplane-v1').celRules().filter((r) => r.error)).toEqual([]);
  });

  test('rules are found where the CRDs put them: on spec, on nested fields, on list items, at the root', () => {
    const at = (kind: string, path: string) => rules.filter((r) => r.kind === kind && r.path === path).map((r) => r.rule);
    expect(at('rabbitmq.com/v1beta1/RabbitmqCluster', '/spec/rabbitmq/envConfig')).toEqual(["!self.contains('$(') && !self.contains('`')"]);
    expect(at('apiextensions.crossplane.io/v1/Composition', '/spec/compositeTypeRef')).toEqual(['self == oldSelf']);
    expect(at('apiextensions.crossplane.io/v1/Composition', '/spec/pipeline/*/credentials/*')).toEqual(["self.source == 'Secret' && has(self.secretRef)"]);
    expect(at('kubernetes.crossplane.io/v1alpha1/ObservedObjectCollection', '/')).toEqual([]);
    // Transition rules are told apart from the others.
    expect(rules.filter((r) => r.kind === 'apiextensions.crossplane.io/v2/CompositeResourceDefinition' && r.transition).map((r) => r.path).sort())
      .toEqual(['/spec/enforcedCompositionRef', '/spec/group', '/spec/names', '/spec/scope']);
  });
});

describe('Crossplane rules on the objects this library emits', () => {
  const namespaced = platformApis(CrossplaneMode.NAMESPACED);
  const claims = platformApis(CrossplaneMode.CLAIMS);
  const xrdV2 = findObject(namespaced.objects, 'CompositeResourceDefinition', 'keyvaluestores.data.platform-blueprints.io');
  const xrdV1 = findObject(claims.objects, 'CompositeResourceDefinition', 'xkeyvaluestores.data.platform-blueprints.io');
  const composition = findObject(namespaced.objects, 'Composition', 'local.keyvaluestores.data.platform-blueprints.io');

  test('a v2 XRD offers no claims; a v1 XRD offers them only with LegacyCluster scope and lowercase names', () => {
    expect(v.validate(edited(xrdV2, (x) => { x.spec.claimNames = { kind: 'KeyValueStore', plural: 'keyvaluestores' }; })))
      .toEqual(['/spec: Invalid value: Claims aren\'t supported in apiextensions.crossplane.io/v2']);
    expect(v.validate(edited(xrdV1, (x) => { x.spec.claimNames.plural = 'KeyValueStores'; })))
      .toEqual(['/spec/claimNames: Invalid value: Plural name must be lowercase']);
    expect(v.validate(edited(xrdV1, (x) => { x.spec.scope = 'Namespaced'; }))).toEqual([
      '/spec: Invalid value: Only LegacyCluster composite resources can offer claims',
      '/spec: Invalid value: Only LegacyCluster composite resources support connection secrets',
    ]);
  });

  test('an XRD keeps its group, names and scope (transition rules); an unchanged update passes', () => {
    expect(v.validateUpdate(xrdV2, xrdV2)).toEqual([]);
    expect(v.validateUpdate(xrdV2, edited(xrdV2, (x) => { x.spec.group = 'cache.platform-blueprints.io'; })))
      .toEqual(['/spec/group: Invalid value: "cache.platform-blueprints.io": Value is immutable']);
    expect(v.validateUpdate(xrdV2, edited(xrdV2, (x) => { x.spec.names.singular = 'kvstore'; })))
      .toEqual(['/spec/names: Invalid value: Value is immutable']);
    // The v2 XRD's scope defaults to Namespaced: leaving it out is no change, another scope is.
    expect(xrdV2.spec.scope).toBe('Namespaced');
    expect(v.validateUpdate(xrdV2, edited(xrdV2, (x) => { delete x.spec.scope; }))).toEqual([]);
    expect(v.validateUpdate(xrdV2, edited(xrdV2, (x) => { x.spec.scope = 'Cluster'; })))
      .toEqual(['/spec/scope: Invalid value: "Cluster": Value is immutable']);
    // Crossplane 1.x (the compatibility schemas) holds claim names immutable as well.
    expect(v.withPackage('crossplane-v1').validateUpdate(xrdV1, edited(xrdV1, (x) => { x.spec.claimNames.kind = 'Cache'; })))
      .toEqual(['/spec/claimNames: Invalid value: Value is immutable']);
  });

  test('a Composition runs a pipeline (mode defaults to Pipeline) and keeps its composite type', () => {
    expect(v.validate(edited(composition, (c) => { delete c.spec.pipeline; delete c.spec.mode; })))
      .toEqual(['/spec: Invalid value: an array of pipeline steps is required in Pipeline mode']);
    expect(v.validateUpdate(composition, edited(composition, (c) => { c.spec.compositeTypeRef.kind = 'Cache'; })))
      .toEqual(['/spec/compositeTypeRef: Invalid value: Value is immutable']);
  });

  test('packages are fully qualified image references (a regex rule)', () => {
    const fn = findObject(namespaced.objects, 'Function', 'function-auto-ready');
    expect(fn.spec.package).toMatch(/^xpkg\.crossplane\.io\//);
    const [problem] = v.validate(edited(fn, (f) => { f.spec.package = 'function-auto-ready:v0.6.0'; }));
    expect(problem).toMatch(/^\/spec\/package: Invalid value: "function-auto-ready:v0.6.0": must be a fully qualified image name, including the registry/);
  });

  test('a composed provider-kubernetes Object derives readiness from a CEL query only with a query', () => {
    const [object] = namespaced.apis.keyValueStore.localTemplate.render({ name: 'cache', namespace: 'shop', connectionSecret: 'cache-connection', generated: { zzgenerated: 'x'.repeat(32) } }, 0)
      .filter((o: any) => o.spec.readiness?.policy === 'DeriveFromCelQuery');
    expect(v.validate(object)).toEqual([]);
    expect(v.validate(edited(object, (o) => { o.spec.readiness.celQuery = ''; })))
      .toEqual(['/spec/readiness: Invalid value: celQuery must be set if policy is DeriveFromCelQuery']);
  });

  test('a Usage of another namespace needs spec.by (a field named `namespace` is `__namespace__` in CEL)', () => {
    const usage = (of: any, extra: any = {}) => ({
      apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', metadata: { name: 'keep', namespace: 'shop' },
      spec: { of: { apiVersion: 'data.platform-blueprints.io/v1alpha1', kind: 'KeyValueStore', ...of }, reason: 'in use', ...extra },
    });
    expect(v.validate(usage({ resourceRef: { name: 'cache' } }))).toEqual([]);
    expect(v.validate(usage({ resourceRef: { name: 'cache', namespace: 'other' } })))
      .toEqual(['/spec: Invalid value: cross-namespace "spec.of" is not allowed without "spec.by" resource.']);
    expect(v.validate(usage({ resourceRef: { name: 'cache', namespace: 'other' } }, { by: { apiVersion: 'v1', kind: 'Pod', resourceRef: { name: 'app' } } }))).toEqual([]);
  });
});

describe('RabbitMQ: the cluster operator\'s rule on what it passes to a shell', () => {
  const { chart } = testChart('events');
  new RabbitmqCluster(chart, 'rabbitmq');
  const cluster = findObject(synthValid(chart), 'RabbitmqCluster', 'rabbitmq');

  test('envConfig without command substitution passes; `$(` or a backtick fails', () => {
    const withEnv = (envConfig: string) => edited(cluster, (c) => { c.spec.rabbitmq = { ...c.spec.rabbitmq, envConfig }; });
    expect(v.validate(withEnv('SERVER_ADDITIONAL_ERL_ARGS="+S 2:2"'))).toEqual([]);
    const message = 'envConfig must not contain shell command substitution (\'$(...)\' or backticks)';
    expect(v.validate(withEnv('X=$(id)'))).toEqual([`/spec/rabbitmq/envConfig: Invalid value: "X=$(id)": ${message}`]);
    expect(v.validate(withEnv('X=`id`'))).toEqual([`/spec/rabbitmq/envConfig: Invalid value: "X=\`id\`": ${message}`]);
  });
});

describe.each([CrossplaneMode.NAMESPACED, CrossplaneMode.CLAIMS])('the generated XRDs\' rules: a store\'s size is fixed at creation (%s)', (mode) => {
  function store(size?: StoreSize, highAvailability?: boolean) {
    const app = Testing.app();
    const apis = new PlatformApis(new Chart(app, 'apis', { disableResourceNameHashes: true }), 'Apis', { mode, gcp: { region: 'europe-west1', authorizedNetwork: 'projects/acme/global/networks/apps' } });
    const team = new Chart(app, 'team', { namespace: 'shop', disableResourceNameHashes: true });
    const store = new KeyValueStoreClaim(team, 'cache', { api: apis.keyValueStore, size, highAvailability, provider: highAvailability ? StoreProvider.GCP : undefined });
    return { validator: validatorFor(app), object: findObject(synthValid(team), store.claim.resource.kind, 'cache') };
  }
  const small = store(StoreSize.SMALL);

  test('the generated CRD carries the rule; a new claim passes, an unchanged update passes', () => {
    expect(small.validator.celRules().filter((r) => r.kind === `${small.object.apiVersion}/${small.object.kind}`).map((r) => `${r.path} ${r.rule}`))
      .toEqual(['/spec/size self == oldSelf', '/spec/highAvailability self == oldSelf']);
    expect(small.validator.celRules().filter((r) => r.error)).toEqual([]);
    expect(small.validator.validate(small.object)).toEqual([]);
    expect(small.validator.validateUpdate(small.object, small.object)).toEqual([]);
  });

  test('a new size or availability is refused', () => {
    const large = store(StoreSize.LARGE);
    expect(small.validator.validateUpdate(small.object, large.object)).toEqual(['/spec/size: Invalid value: "large": is immutable; create a new one instead']);
    expect(small.validator.validateUpdate(small.object, store(StoreSize.SMALL, true).object))
      .toEqual(['/spec/highAvailability: Invalid value: true: is immutable; create a new one instead']);
  });

  test('a claim made without size (kubectl) holds the default, small: writing it out is no change, another size is', () => {
    expect(store().object.spec.size).toBe('small');
    const unset = edited(small.object, (o) => { delete o.spec.size; });
    expect(small.validator.validateUpdate(unset, small.object)).toEqual([]);
    expect(small.validator.validateUpdate(unset, store(StoreSize.LARGE).object)).toEqual(['/spec/size: Invalid value: "large": is immutable; create a new one instead']);
  });
});

/** A validator that also knows a `Widget` CRD with this spec schema. */
function widgets(spec: any, extra: any = {}) {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.test.example.com' },
    spec: {
      group: 'test.example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec, ...extra } } } }],
    },
  };
  return v.withCustomResourceDefinitions([crd], 'test');
}
const widget = (spec: any, more: any = {}) => ({ apiVersion: 'test.example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' }, spec, ...more });
const rule = (r: string, extra: any = {}) => ({ 'x-kubernetes-validations': [{ rule: r, ...extra }] });

describe('immutable SchemaFields: fixed at creation, also when optional (self == oldSelf alone runs only when both values are there)', () => {
  const spec = SchemaField.object({
    tier: SchemaField.string({ immutable: true }),
    size: SchemaField.string({ immutable: true, default: 'small' }),
    zone: SchemaField.string({ immutable: true, required: true }),
    backup: SchemaField.object({ schedule: SchemaField.string({ immutable: true, required: true }), keep: SchemaField.integer() }),
    note: SchemaField.string(),
  }, { required: true });
  const w = widgets(spec.toOpenApiSchema());
  const at = (o: any) => widget(o);

  test('the object fixes whether an optional immutable field, or an optional object holding one, is there', () => {
    expect(spec.toOpenApiSchema()['x-kubernetes-validations']).toEqual([
      { rule: 'has(self.tier) == has(oldSelf.tier)', message: 'tier is immutable: it can be neither set nor removed after creation; create a new one instead' },
      { rule: 'has(self.backup) == has(oldSelf.backup)', message: 'backup holds immutable fields: it can be neither set nor removed after creation; create a new one instead' },
    ]);
    expect(w.celRules().filter((r) => r.error)).toEqual([]);
  });

  test.each([
    ['a value changed', { zone: 'a', tier: 'gold' }, { zone: 'a', tier: 'silver' }, ['/spec/tier: Invalid value: "silver": is immutable; create a new one instead']],
    ['a value removed (a → unset)', { zone: 'a', tier: 'gold' }, { zone: 'a' },
      ['/spec: Invalid value: tier is immutable: it can be neither set nor removed after creation; create a new one instead']],
    ['a value set after creation (unset → b)', { zone: 'a' }, { zone: 'a', tier: 'silver' },
      ['/spec: Invalid value: tier is immutable: it can be neither set nor removed after creation; create a new one instead']],
    ['an object holding one removed', { zone: 'a', backup: { schedule: '@daily' } }, { zone: 'a' },
      ['/spec: Invalid value: backup holds immutable fields: it can be neither set nor removed after creation; create a new one instead']],
    ['an object holding one added', { zone: 'a' }, { zone: 'a', backup: { schedule: '@hourly' } },
      ['/spec: Invalid value: backup holds immutable fields: it can be neither set nor removed after creation; create a new one instead']],
    ['a defaulted field left out (the default is the value)', { zone: 'a', size: 'small' }, { zone: 'a' }, []],
    ['a defaulted field changed', { zone: 'a' }, { zone: 'a', size: 'large' }, ['/spec/size: Invalid value: "large": is immutable; create a new one instead']],
    ['a mutable field beside them changed, set and removed', { zone: 'a', tier: 'gold', note: 'x', backup: { schedule: '@daily', keep: 3 } },
      { zone: 'a', tier: 'gold', backup: { schedule: '@daily', keep: 5 } }, []],
  ])('%s', (_case, before, after, problems) => {
    expect(w.validate(at(after))).toEqual([]);
    expect(w.validateUpdate(at(before), at(after))).toEqual(problems);
  });

  test.each([
    ['inside a list\'s items', SchemaField.array(SchemaField.object({ id: SchemaField.string({ immutable: true }) })),
      'f[].id.immutable (true) cannot be used inside a list\'s items; make the whole list immutable instead'],
    ['on a map\'s values', SchemaField.map(SchemaField.string({ immutable: true })), 'f{}.immutable (true) cannot be used inside a map\'s values; make the whole map immutable instead'],
    ['not a boolean', SchemaField.string({ immutable: 'yes' as any }), 'f.immutable ("yes") must be true or false'],
  ])('refused %s (the API server refuses oldSelf below a list; a map entry could be removed and added again)', (_case, field, message) => {
    expect(validationError(() => field.check(testChart().chart, 'f')).message).toBe(`test: ${message}`);
  });

  test('a whole list or map can be immutable', () => {
    const lists = SchemaField.object({ ids: SchemaField.array(SchemaField.string(), { immutable: true }), tags: SchemaField.map(SchemaField.string(), { immutable: true }) });
    expect(() => lists.check(testChart().chart, 'f')).not.toThrow();
    const wl = widgets(lists.toOpenApiSchema());
    expect(wl.validateUpdate(widget({ ids: ['a'] }), widget({}))).toEqual(['/spec: Invalid value: ids is immutable: it can be neither set nor removed after creation; create a new one instead']);
    expect(wl.validateUpdate(widget({ tags: { a: 'x' } }), widget({ tags: { a: 'y' } }))).toEqual(['/spec/tags: Invalid value: is immutable; create a new one instead']);
  });
});

describe('Kubernetes CEL semantics', () => {
  test('values are typed by the schema: integer → int, number → double, int-or-string → int or string', () => {
    const w = widgets({
      type: 'object',
      properties: { replicas: { type: 'integer' }, ratio: { type: 'number' }, surge: { 'x-kubernetes-int-or-string': true } },
      ...rule("type(self.replicas) == int && type(self.ratio) == double && (!has(self.surge) || (type(self.surge) == string ? self.surge.endsWith('%') : self.surge <= 10))", { message: 'typed' }),
    });
    expect(w.validate(widget({ replicas: 3, ratio: 1 }))).toEqual([]);
    expect(w.validate(widget({ replicas: 3, ratio: 0.5, surge: '25%' }))).toEqual([]);
    expect(w.validate(widget({ replicas: 3, ratio: 1, surge: 10 }))).toEqual([]);
    expect(w.validate(widget({ replicas: 3, ratio: 1, surge: 11 }))).toEqual(['/spec: Invalid value: typed']);
    expect(w.validate(widget({ replicas: 3, ratio: 1, surge: '25' }))).toEqual(['/spec: Invalid value: typed']);
  });

  test('a rule applies where its value is: absent and null values are not checked, list items each', () => {
    const w = widgets({
      type: 'object',
      properties: {
        name: { type: 'string', nullable: true, ...rule("self != ''", { message: 'not empty' }) },
        items: { type: 'array', items: { type: 'string', ...rule('self.size() <= 3', { message: 'short' }) } },
      },
    });
    expect(w.validate(widget({}))).toEqual([]);
    expect(w.validate(widget({ name: null }))).toEqual([]);
    expect(w.validate(widget({ name: '' }))).toEqual(['/spec/name: Invalid value: "": not empty']);
    expect(w.validate(widget({ items: ['abc', 'abcd', 'ab', 'abcde'] })))
      .toEqual(['/spec/items/1: Invalid value: "abcd": short', '/spec/items/3: Invalid value: "abcde": short']);
  });

  test('property names are escaped as Kubernetes escapes them', () => {
    expect(['namespace', 'x-y', 'a.b', 'a/b', 'a__b', 'plain_name', '1st', 'a b', 'in'].map(escapeProperty))
      .toEqual(['__namespace__', 'x__dash__y', 'a__dot__b', 'a__slash__b', 'a__underscores__b', 'plain_name', undefined, undefined, '__in__']);
    const w = widgets({
      type: 'object',
      properties: { 'max-size': { type: 'integer' }, namespace: { type: 'string' } },
      ...rule("self.max__dash__size < 10 && self.__namespace__ != 'kube-system'", { message: 'escaped' }),
    });
    expect(w.validate(widget({ 'max-size': 3, namespace: 'shop' }))).toEqual([]);
    expect(w.validate(widget({ 'max-size': 30, namespace: 'shop' }))).toEqual(['/spec: Invalid value: escaped']);
  });

  test('messageExpression, message, the default message, reason and fieldPath shape the error as the API server does', () => {
    const w = widgets({
      type: 'object',
      properties: { min: { type: 'integer' }, max: { type: 'integer' }, tag: { type: 'string' } },
      'x-kubernetes-validations': [
        { rule: 'self.min <= self.max', messageExpression: "'min (' + string(self.min) + ') must be <= max (' + string(self.max) + ')'", fieldPath: '.min' },
        { rule: "!has(self.tag) || self.tag != 'latest'", message: 'pin a version', reason: 'FieldValueForbidden', fieldPath: '.tag' },
        { rule: 'has(self.tag)', message: 'a tag is required', reason: 'FieldValueRequired' },
        // An empty (or failing) messageExpression falls back to message; without message, the rule is the message.
        { rule: 'self.max < 100', messageExpression: "''", message: 'max is below 100' },
        { rule: 'self.min >= 0' },
      ],
    });
    expect(w.validate(widget({ min: 300, max: 200, tag: 'latest' }))).toEqual([
      '/spec/min: Invalid value: min (300) must be <= max (200)',
      '/spec/tag: Forbidden: pin a version',
      '/spec: Invalid value: max is below 100',
    ]);
    expect(w.validate(widget({ min: -1, max: 2 }))).toEqual(['/spec: Required value: a tag is required', '/spec: Invalid value: failed rule: self.min >= 0']);
  });

  test('transition rules run on updates only, where an old value correlates (same field, same map-list key)', () => {
    const w = widgets({
      type: 'object',
      properties: {
        ports: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer', ...rule('self >= oldSelf', { message: 'only grows' }) } } },
        },
      },
    });
    const before = widget({ ports: [{ name: 'a', port: 2 }, { name: 'b', port: 5 }] });
    expect(w.validate(widget({ ports: [{ name: 'b', port: 1 }] }))).toEqual([]);
    // Items are matched by key, not by position; a new key has no old value.
    expect(w.validateUpdate(before, widget({ ports: [{ name: 'b', port: 4 }, { name: 'a', port: 3 }, { name: 'c', port: 1 }] })))
      .toEqual(['/spec/ports/0/port: Invalid value: 4: only grows']);
    expect(w.validateUpdate(before, edited(before, (o) => { o.metadata.name = 'other'; })))
      .toEqual(['an update keeps apiVersion, kind, namespace and name: test.example.com/v1 Widget ns w -> test.example.com/v1 Widget ns other']);
  });

  test('equality: set and map lists ignore order, atomic lists do not, preserved unknown fields count', () => {
    const fixed = rule('self == oldSelf', { message: 'fixed' });
    const w = widgets({
      type: 'object',
      properties: {
        set: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', ...fixed },
        atomic: { type: 'array', items: { type: 'string' }, ...fixed },
        byName: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'integer' } } }, ...fixed },
        open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } }, ...fixed },
        when: { type: 'string', format: 'date-time', ...fixed },
      },
    });
    const before = widget({ set: ['a', 'b'], atomic: ['a', 'b'], byName: [{ name: 'x', v: 1 }, { name: 'y', v: 2 }], open: { known: 'k', extra: 1 }, when: '2026-01-01T00:00:00Z' });
    const same = widget({ set: ['b', 'a'], atomic: ['a', 'b'], byName: [{ name: 'y', v: 2 }, { name: 'x', v: 1 }], open: { known: 'k', extra: 1 }, when: '2026-01-01T01:00:00+01:00' });
    expect(w.validateUpdate(before, same)).toEqual([]);
    expect(w.validateUpdate(before, edited(same, (o) => {
      o.spec.atomic.reverse();
      o.spec.byName[0].v = 3;
      o.spec.open.extra = 2;
      o.spec.when = '2026-01-01T00:00:01Z';
    }))).toEqual([
      '/spec/atomic: Invalid value: fixed', '/spec/byName: Invalid value: fixed', '/spec/open: Invalid value: fixed', '/spec/when: Invalid value: "2026-01-01T00:00:01Z": fixed',
    ]);
  });

  test('date-time strings are timestamps, the root exposes apiVersion, kind and metadata.name, embedded resources too', () => {
    const w = widgets({
      type: 'object',
      properties: {
        start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true, ...rule("self.kind == 'ConfigMap' && self.metadata.name.startsWith('w-')", { message: 'a w- ConfigMap' }) },
      },
      ...rule('self.start < self.end && self.end - self.start <= duration("24h")', { message: 'within a day' }),
    });
    const ok = widget({ start: '2026-01-01T00:00:00Z', end: '2026-01-01T12:00:00Z', template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w-1' } } });
    expect(w.validate(ok)).toEqual([]);
    expect(w.validate(edited(ok, (o) => { o.spec.end = '2026-01-03T00:00:00Z'; o.spec.template.metadata.name = 'x'; })))
      .toEqual(['/spec: Invalid value: within a day', '/spec/template: Invalid value: a w- ConfigMap']);
    const root = v.withCustomResourceDefinitions([{
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.test.example.com' },
      spec: {
        group: 'test.example.com', names: { kind: 'Gadget', plural: 'gadgets' }, scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } }, ...rule("self.metadata.name.startsWith(self.kind.lowerAscii())", { message: 'named after its kind' }) } } }],
      },
    }], 'test');
    const gadget = (name: string) => ({ apiVersion: 'test.example.com/v1', kind: 'Gadget', metadata: { name, namespace: 'ns' }, spec: {} });
    expect(root.validate(gadget('gadget-1'))).toEqual([]);
    expect(root.validate(gadget('thing'))).toEqual(['/: Invalid value: named after its kind']);
  });

  test('regexes follow RE2: named groups, POSIX classes and \\z are valid; lookahead does not compile', () => {
    const w = widgets({ type: 'object', properties: { id: { type: 'string', ...rule("self.matches('^(?P<prefix>[[:alpha:]]+)-[0-9]+\\\\z')", { message: 'prefix-number' }) } } });
    expect(w.validate(widget({ id: 'abc-12' }))).toEqual([]);
    expect(w.validate(widget({ id: 'abc-12\n' }))).toEqual(['/spec/id: Invalid value: "abc-12\\n": prefix-number']);
    const lookahead = widgets({ type: 'object', properties: { id: { type: 'string', ...rule("self.matches('^(?=a)')") } } });
    expect(lookahead.celRules().find((r) => r.kind === 'test.example.com/v1/Widget')!.error).toMatch(/^compilation failed: invalid regular expression "\^\(\?=a\)": /);
  });

  test('a rule that does not compile is an error on every object of the kind, never a silent pass', () => {
    const broken = [
      ['self.sizee > 0', "compilation failed: undefined field 'sizee'"],
      ['self.names.isSorted()', "compilation failed: undeclared reference to function 'isSorted' (the environment here is standard CEL and the strings extension; a Kubernetes library function is added to scripts/lib/cel-rules.ts when a pinned CRD uses it)"],
      ['self.size', 'compilation failed: cel expression must evaluate to a bool'],
      ['self.size >', 'compilation failed: <input>:1:11: found > but expecting end of input'],
      ['other == 1', "compilation failed: undeclared reference to 'other'"],
      ['oldSelf.size == self.size', 'optionalOldSelf needs CEL optional types, which @bufbuild/cel does not provide'],
    ];
    const w = widgets({
      type: 'object',
      properties: { size: { type: 'integer' }, names: { type: 'array', items: { type: 'string' } } },
      'x-kubernetes-validations': broken.map(([r], i) => ({ rule: r, ...(i === broken.length - 1 ? { optionalOldSelf: true } : {}) })),
    });
    expect(w.celRules().filter((r) => r.kind === 'test.example.com/v1/Widget').map((r) => [r.rule, r.error])).toEqual(broken);
    expect(w.validate(widget({ size: 1, names: [] }))).toEqual(broken.map(([r, e]) => `/spec: Invalid value: rule compile error: ${e} (rule: ${r})`));
    // At a resource root, metadata exposes name and generateName only; oldSelf cannot correlate below an atomic list.
    const root = v.withCustomResourceDefinitions([{
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gizmos.test.example.com' },
      spec: {
        group: 'test.example.com', names: { kind: 'Gizmo', plural: 'gizmos' }, scope: 'Namespaced',
        versions: [{
          name: 'v1', served: true, storage: true, schema: {
            openAPIV3Schema: {
              type: 'object', ...rule("self.metadata.namespace != ''"),
              properties: { spec: { type: 'object', properties: { list: { type: 'array', items: { type: 'string', ...rule('self == oldSelf') } } } } },
            },
          },
        }],
      },
    }], 'test');
    expect(root.celRules().filter((r) => r.kind === 'test.example.com/v1/Gizmo').map((r) => `${r.path} ${r.error}`)).toEqual([
      "/ compilation failed: undefined field 'namespace'",
      '/spec/list/* oldSelf cannot be used on the uncorrelatable portion of the schema (below a list that is not a map-list)',
    ]);
  });

  test('an evaluation error is reported with the rule, as the API server reports it', () => {
    const w = widgets({ type: 'object', properties: { limits: { type: 'object', additionalProperties: { type: 'integer' } } }, ...rule("self.limits['cpu'] > 0", { message: 'cpu limit' }) });
    expect(w.validate(widget({ limits: { cpu: 2 } }))).toEqual([]);
    expect(w.validate(widget({ limits: { memory: 2 } }))).toEqual(['/spec: Invalid value: field not found: cpu evaluating rule: cpu limit']);
    // An int-or-string value is dynamic: a string function on its int form fails at run time, not at compile time.
    const surge = widgets({ type: 'object', properties: { surge: { 'x-kubernetes-int-or-string': true, ...rule("self.endsWith('%')") } } });
    expect(surge.validate(widget({ surge: '5%' }))).toEqual([]);
    expect(surge.validate(widget({ surge: 5 }))).toEqual([
      "/spec/surge: Invalid value: 'found no matching overload for 'endsWith' applied to 'int.(string)'': call arguments did not match a supported operator, function or macro signature for rule: self.endsWith('%')",
    ]);
  });
});

describe('structural defaulting before validation', () => {
  const schema = {
    type: 'object',
    properties: {
      mode: { type: 'string', default: 'Pipeline' },
      nested: { type: 'object', default: {}, properties: { level: { type: 'integer', default: 1 } } },
      items: { type: 'array', items: { type: 'object', properties: { weight: { type: 'integer', default: 5 } } } },
      labels: { type: 'object', additionalProperties: { type: 'string', default: 'x' } },
      keep: { type: 'string', nullable: true, default: 'd' },
    },
  };

  test('absent fields and non-nullable nulls take the default, then defaults are walked into; the input is not changed', () => {
    const input = { nested: null, items: [{}, { weight: 1 }], labels: { a: null, b: 'b' }, keep: null };
    expect(withDefaults(input, schema)).toEqual({ mode: 'Pipeline', nested: { level: 1 }, items: [{ weight: 5 }, { weight: 1 }], labels: { a: 'x', b: 'b' }, keep: null });
    expect(input).toEqual({ nested: null, items: [{}, { weight: 1 }], labels: { a: null, b: 'b' }, keep: null });
  });

  test('a required field with a default is not missing (the API server defaults before it validates)', () => {
    const w = widgets({ type: 'object', required: ['mode'], properties: { mode: { type: 'string', enum: ['A', 'B'], default: 'A' } }, ...rule("self.mode == 'A'", { message: 'A only' }) });
    expect(w.validate(widget({}))).toEqual([]);
    expect(w.validate(widget({ mode: 'B' }))).toEqual(['/spec: Invalid value: A only']);
  });
});
