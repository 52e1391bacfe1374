/**
 * The immutable-fields table (constructs/core/immutable-fields.ts): one source for the plan (and so the Pulumi
 * bridge), DeployHints and `platform-blueprints diff`, read from objects alone — checked against the pinned CRDs'
 * own immutability rules, and against what the constructs of the reference platform declare.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  Broker, BrokerClass, DeployHints, DeploymentPlan, EventFilter, KnativeFunction, RabbitmqBroker, RabbitmqCluster,
} from '../../constructs';
import {
  formatPath, immutableRules, lookupOf, parsePath, replaceOnChangesOf, statefulNamespaceReason, statefulReasonOf,
} from '../../constructs/core/immutable-fields';
import { loadCatalog, resolveSchemaLocation } from '../../scripts/lib/upstream';
import { synthReferenceApp } from '../../src/main';
import { fieldChanges } from '../../src/diff/compare';
import { loadFolder } from '../../src/diff/load';

/** Every `self == oldSelf` rule of the pinned CRDs: group, version, kind and the field's path. */
function celImmutableFields(): Array<[string, string, string, string]> {
  const location = resolveSchemaLocation();
  const found = new Set<string>();
  for (const file of loadCatalog().flatMap((p) => p.files).filter((f) => /\.ya?ml$/.test(f.local))) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(location, file.local), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions ?? []) {
        const visit = (schema: any, at: string[]): void => {
          if (!schema || typeof schema !== 'object') return;
          if ((schema['x-kubernetes-validations'] ?? []).some((r: any) => r.rule.replace(/\s/g, '') === 'self==oldSelf')) {
            found.add(JSON.stringify([crd.spec.group, version.name, crd.spec.names.kind, at.join('.')]));
          }
          for (const [k, child] of Object.entries<any>(schema.properties ?? {})) visit(child, [...at, k]);
        };
        visit(version.schema?.openAPIV3Schema, []);
      }
    }
  }
  return [...found].sort().map((s) => JSON.parse(s));
}

describe('the immutable-fields table', () => {
  const cel = celImmutableFields();

  test('the pinned CRDs declare immutable fields (the check below reads real rules)', () => {
    expect(cel.length).toBeGreaterThan(10);
    expect(cel).toContainEqual(['apiextensions.crossplane.io', 'v1', 'Composition', 'spec.compositeTypeRef']);
  });

  test.each(cel)('%s/%s %s: %s (a `self == oldSelf` rule of its CRD) is immutable in the table', (group, version, kind, field) => {
    const rules = immutableRules({ apiVersion: `${group}/${version}`, kind, metadata: { name: 'x' } });
    expect(rules.flatMap((r) => r.paths)).toContain(field);
  });

  test('Pulumi property paths round-trip, quoted keys included', () => {
    const p = 'metadata.annotations["eventing.knative.dev/broker.class"]';
    expect(parsePath(p)).toEqual(['metadata', 'annotations', 'eventing.knative.dev/broker.class']);
    expect(formatPath(parsePath(p))).toBe(p);
    expect(formatPath(['spec', 'containers', 0, 'image'])).toBe('spec.containers[0].image');
    expect(() => parsePath('spec..x')).toThrow(/not a property path/);
  });

  test('conditions read other objects: a Trigger\'s filter is immutable on a RabbitMQ broker, or one the webhook cannot find', () => {
    const trigger = { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', metadata: { name: 't', namespace: 'n' }, spec: { broker: 'b' } };
    const broker = (cls: string) => ({ apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: 'b', namespace: 'n', annotations: { 'eventing.knative.dev/broker.class': cls } } });
    expect(replaceOnChangesOf(trigger, lookupOf([broker('RabbitMQBroker')]))).toEqual(['spec.broker', 'spec.filter']);
    expect(replaceOnChangesOf(trigger, lookupOf([broker('MTChannelBasedBroker')]))).toEqual(['spec.broker']);
    expect(replaceOnChangesOf(trigger, lookupOf([]))).toEqual(['spec.broker', 'spec.filter']);
  });

  test('an imported broker\'s class reaches its Triggers\' hints (the Trigger says what it knows of the broker)', () => {
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'games' });
    const fn = new KnativeFunction(chart, 'board', { image: 'ghcr.io/example/board:1' });
    const shared = Broker.fromBrokerAttributes(chart, 'shared', { name: 'shared', brokerClass: BrokerClass.CHANNEL });
    const own = new RabbitmqBroker(chart, 'game', { cluster: new RabbitmqCluster(chart, 'mq') });
    const onShared = shared.subscribe(fn, { name: 'from-shared' }) as any;
    const onOwn = own.subscribe(fn, { name: 'from-game', filters: [EventFilter.exact({ source: '/games/1' })] }) as any;
    expect(DeployHints.immutableFields(onShared.resource ?? onShared)).toEqual(['spec.broker']);
    expect(DeployHints.immutableFields(onOwn.resource ?? onOwn)).toEqual(['spec.broker', 'spec.filter']);
    const plan = DeploymentPlan.of(app);
    expect(plan.objects.filter((o) => o.manifest.kind === 'Trigger').map((o) => [o.name, o.replaceOnChanges]))
      .toEqual(expect.arrayContaining([['games/from-shared', ['spec.broker']], ['games/from-game', ['spec.broker', 'spec.filter']]]));
  });

  test('rules that depend on both versions: a Service\'s cluster IP may go with ExternalName; a named Knative template needs a new name', () => {
    const svc = (type: string, ip?: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type, clusterIP: ip } });
    const [ipRule] = immutableRules(svc('ClusterIP', '10.0.0.1'));
    expect(ipRule.refuses!(svc('ClusterIP', '10.0.0.1'), svc('ClusterIP', '10.0.0.2'))).toBe(true);
    expect(ipRule.refuses!(svc('ClusterIP', '10.0.0.1'), svc('ExternalName'))).toBe(false);
    const ksvc = (name: string | undefined, image: string) => ({
      apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'f' }, spec: { template: { metadata: { name }, spec: { containers: [{ image }] } } },
    });
    expect(immutableRules(ksvc(undefined, 'a'))).toEqual([]);
    const [named] = immutableRules(ksvc('f-1', 'a'));
    expect(named.refuses!(ksvc('f-1', 'a'), ksvc('f-1', 'b'))).toBe(true);
    expect(named.refuses!(ksvc('f-1', 'a'), ksvc('f-2', 'b'))).toBe(false);
    // A claim grows in place, and cannot shrink.
    const pvc = (storage: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } });
    const shrink = immutableRules(pvc('2Gi')).find((r) => r.paths.includes('spec.resources.requests.storage'))!;
    expect([shrink.refuses!(pvc('2Gi'), pvc('3Gi')), shrink.refuses!(pvc('2Gi'), pvc('1500Mi'))]).toEqual([false, true]);
    // Neither can be told to Pulumi ahead of time; nor can a built-in kind's (pulumi-kubernetes knows those).
    expect(replaceOnChangesOf(ksvc('f-1', 'a'))).toEqual([]);
    expect(replaceOnChangesOf({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } })).toEqual([]);
  });

  test('named list items pair by name: a variable inserted first is one added field, not every variable changed', () => {
    const env = (...names: string[]) => ({ spec: { containers: [{ name: 'f', env: names.map((n) => ({ name: n, value: n.toLowerCase() })) }] } });
    expect(fieldChanges(env('A', 'B'), env('Z', 'A', 'B')).map((c) => [formatPath(c.path), c.before, c.after]))
      .toEqual([['spec.containers[0].env[0]', undefined, { name: 'Z', value: 'z' }]]);
    expect(fieldChanges(env('A', 'B'), env('B')).map((c) => formatPath(c.path))).toEqual(['spec.containers[0].env[0]']);
    // Unnamed items still compare by position.
    expect(fieldChanges({ args: ['a', 'b'] }, { args: ['b'] }).map((c) => formatPath(c.path))).toEqual(['args[0]', 'args[1]']);
  });

  test('a Secret\'s data never reaches a field change as a value', () => {
    const changes = fieldChanges({ kind: 'Secret', data: { a: 'b2xk' }, type: 'Opaque' }, { kind: 'Secret', data: { a: 'bmV3' }, type: 'x' }, true);
    expect(changes.map((c) => [formatPath(c.path), c.hidden])).toEqual([['data.a', true], ['type', false]]);
  });
});

describe('one knowledge: what the constructs of the reference platform plan is what the table reads from its YAML', () => {
  const plan = DeploymentPlan.of(synthReferenceApp());
  const dist = [...loadFolder(path.join(__dirname, '..', '..', 'dist'), 'dist').values()].map((o) => o.manifest);
  const objects = lookupOf(dist);
  const keyOf = (m: any) => DeploymentPlan.objectKey(m.apiVersion, m.kind, m.metadata.name, m.metadata.namespace);

  test('the same objects are stateful (Namespaces by what they hold)', () => {
    const fromPlan = plan.objects.filter((o) => o.stateful && !o.secret).map((o) => o.key).sort();
    const fromYaml = dist.filter((m) => (m.kind === 'Namespace' ? statefulNamespaceReason(m.metadata.name, objects) : statefulReasonOf(m, objects))).map(keyOf).sort();
    expect(fromPlan.length).toBeGreaterThan(3);
    expect(fromYaml).toEqual(fromPlan);
  });

  test('the same fields replace each object', () => {
    const fromPlan = plan.objects.filter((o) => o.replaceOnChanges).map((o) => [o.key, o.replaceOnChanges]);
    const fromYaml = dist.map((m) => [keyOf(m), replaceOnChangesOf(m, objects)]).filter(([, p]) => p.length);
    expect(fromPlan.length).toBeGreaterThan(5);
    expect(fromYaml.sort()).toEqual(fromPlan.sort());
  });
});
