/**
 * The ledger that keeps every object of a program declared once (pulumi-kubernetes ≥ 4.29 refuses a second
 * declaration with AlreadyExists on the first `pulumi up`).
 */
import {
  DeclaredObjectConflict, DeclaredObjects, awaitInjectedCa, caInjection, copyDifferences, describeDifferences, describeObject, injectedCaPaths, withWaitFor,
} from '../../src/pulumi/declared-objects';

const CA_KEYS = ['cert-manager.io/inject-ca-from', 'cert-manager.io/inject-ca-from-secret', 'cert-manager.io/inject-apiserver-ca'];
const ns = (name: string, labels: { [k: string]: string } = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const deployment = (apiVersion: string, namespace: string, name: string) => ({ apiVersion, kind: 'Deployment', metadata: { name, namespace } });

describe('DeclaredObjects', () => {
  test('an object is compared by API group, kind, namespace and name; the earliest claim keeps it, later ones wait for that claim', () => {
    const declared = new DeclaredObjects();
    const first = declared.claimNow('cluster-operator', [ns('rabbitmq-system', { 'app.kubernetes.io/part-of': 'rabbitmq' }), deployment('apps/v1', 'rabbitmq-system', 'operator')]);
    const second = declared.claimNow('topology-operator', [
      ns('rabbitmq-system', { 'control-plane': 'controller-manager' }),
      // Another version of the same group and kind is the same object.
      deployment('apps/v1beta2', 'rabbitmq-system', 'operator'),
      // Another namespace, or another group with the same kind, is another object.
      deployment('apps/v1', 'other', 'operator'),
      { apiVersion: 'example.org/v1', kind: 'Deployment', metadata: { name: 'operator', namespace: 'rabbitmq-system' } },
    ]);
    expect(first.kept).toHaveLength(2);
    expect(second.kept.map(describeObject)).toEqual(['Deployment.apps other/operator', 'Deployment.example.org rabbitmq-system/operator']);
    expect(second.objects).toEqual([
      { heldBy: 'cluster-operator', waitsFor: [] }, { heldBy: 'cluster-operator', waitsFor: [] }, { waitsFor: [] }, { waitsFor: [] },
    ]);
    expect(second.waitsFor).toEqual(['cluster-operator']);
    expect(declared.dropped).toEqual([
      { object: 'Namespace rabbitmq-system', droppedFrom: 'topology-operator', keptBy: 'cluster-operator', identical: false,
        differences: ['metadata.labels["app.kubernetes.io/part-of"]', 'metadata.labels["control-plane"]'] },
      { object: 'Deployment.apps rabbitmq-system/operator', droppedFrom: 'topology-operator', keptBy: 'cluster-operator', identical: false, differences: ['apiVersion'] },
    ]);
    expect(declared.waits).toEqual([{
      from: 'topology-operator', to: 'cluster-operator',
      reasons: ['Namespace rabbitmq-system is held there', 'Deployment.apps rabbitmq-system/operator is held there'],
    }]);
    expect(declared.holderOf('v1', 'Namespace', undefined, 'rabbitmq-system')).toBe('cluster-operator');
  });

  test('a copy repeated inside one claim is dropped too; identical copies are told apart from differing ones; unnamed objects are kept', () => {
    const declared = new DeclaredObjects();
    const claim = declared.claimNow('one', [ns('a'), { ...ns('a'), metadata: { labels: {}, name: 'a' } }, { apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'x-' } }]);
    expect(claim.kept).toHaveLength(2);
    expect(claim.objects[1]).toEqual({ heldBy: 'one', waitsFor: [] });
    expect(declared.dropped).toEqual([{ object: 'Namespace a', droppedFrom: 'one', keptBy: 'one', identical: true, differences: [] }]);
    expect(claim.waitsFor).toEqual([]);
  });

  test('claims being read are decided in claim order, whichever file arrives first', async () => {
    const declared = new DeclaredObjects();
    let releaseFirst: (objs: any[]) => void = () => undefined;
    const slow = new Promise<any[]>((resolve) => {
      releaseFirst = resolve;
    });
    const first = declared.claim('first', slow);
    const second = declared.claim('second', Promise.resolve([ns('shared'), ns('own')]), ['first']);
    expect(() => declared.claimNow('platform', [ns('shared')])).toThrow(
      'declared objects: platform claims its objects while 2 earlier claim(s) are still being read; await declared.settled() before creating it');
    releaseFirst([ns('shared')]);
    expect((await second).kept.map(describeObject)).toEqual(['Namespace own']);
    expect((await first).kept.map(describeObject)).toEqual(['Namespace shared']);
    await declared.settled();
    expect(declared.waits).toEqual([{ from: 'second', to: 'first', reasons: ['declared after it', 'Namespace shared is held there'] }]);
    expect(declared.claimNow('platform', [ns('shared'), ns('own'), ns('mine')]).objects.map((o) => o.heldBy)).toEqual(['first', 'second', undefined]);
  });

  test('misuse is a clear error: a name claimed twice, `after` naming no earlier claim, an unbound claim, a failed read', async () => {
    const declared = new DeclaredObjects();
    declared.claimNow('a', []);
    expect(() => declared.claimNow('a', [])).toThrow('declared objects: a has claimed already; give each stage and deployment its own name');
    expect(() => declared.claimNow('b', [], ['c'])).toThrow('declared objects: b comes after c, which has not claimed before it');
    expect(() => declared.resources(['a'])).toThrow('declared objects: a has no resource bound; bind(owner, resource) after claiming');
    expect(() => declared.bind('nobody', {} as any)).toThrow('declared objects: nothing claimed by nobody');
    const failed = declared.claim('broken', Promise.reject(new Error('GET kourier.yaml: HTTP 404')));
    await expect(failed).rejects.toThrow('GET kourier.yaml: HTTP 404');
    const later = declared.claim('later', Promise.resolve([ns('x')]));
    expect((await later).kept).toHaveLength(1);
    await expect(declared.settled()).rejects.toThrow('GET kourier.yaml: HTTP 404');
  });
});

describe('copies that differ', () => {
  test('are compared on what the cluster keeps: every field but status, labels and annotations key by key, the rest of the metadata but what the server writes', () => {
    const base = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', labels: { a: '1' } }, data: { k: 'v' } };
    expect(copyDifferences(base, { ...base, status: { x: 1 }, metadata: { ...base.metadata, uid: 'u', resourceVersion: '7', creationTimestamp: null } })).toEqual([]);
    expect(copyDifferences({ ...base, metadata: { name: 'c', namespace: 'n' } }, { ...base, metadata: { name: 'c', namespace: 'n', labels: {}, annotations: {} } })).toEqual([]);
    expect(copyDifferences({ ...base, immutable: null }, { ...base, binaryData: {}, metadata: { ...base.metadata, finalizers: [] } })).toEqual([]);
    expect(copyDifferences(base, {
      ...base, data: { k: 'w' }, binaryData: { b: 'AA==' }, immutable: false,
      metadata: { ...base.metadata, labels: { a: '2', b: '' }, annotations: { 'x.io/y': 'z' }, finalizers: ['f'] },
    })).toEqual(['binaryData', 'data', 'immutable', 'metadata.annotations["x.io/y"]', 'metadata.finalizers', 'metadata.labels["a"]', 'metadata.labels["b"]']);
    expect(describeDifferences(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('a, b, c, d, e and 2 more');
  });

  test('between release files (install stages) are dropped and recorded; an exclusive claim (the program\'s own objects) refuses them, whichever comes first', () => {
    const labelled = (v: string) => ns('shared', { team: v });
    const lenient = new DeclaredObjects();
    lenient.claimNow('stage-a', [labelled('a')]);
    expect(lenient.claimNow('stage-b', [labelled('b')]).kept).toEqual([]);
    expect(lenient.dropped).toEqual([{ object: 'Namespace shared', droppedFrom: 'stage-b', keptBy: 'stage-a', identical: false, differences: ['metadata.labels["team"]'] }]);
    // The platform last, as the program claims it.
    expect(() => lenient.claimNow('platform', [labelled('platform')], [], { exclusive: true })).toThrow(new DeclaredObjectConflict('Namespace shared', 'platform', 0, 'stage-a', ['metadata.labels["team"]']));
    expect(() => lenient.claimNow('platform', [labelled('platform')], [], { exclusive: true })).toThrow('declared objects: Namespace shared of platform differs from the copy ' +
      'stage-a declares first (metadata.labels["team"]), which would be deployed instead; an object can be declared once: rename one of them, or leave it to one claim');
    // A refused claim takes no place: the name is free, and nothing was recorded.
    expect(lenient.claimNow('platform', [labelled('a')], [], { exclusive: true }).objects).toEqual([{ heldBy: 'stage-a', waitsFor: [] }]);
    expect(lenient.dropped.map((d) => d.droppedFrom)).toEqual(['stage-b', 'platform']);
    // The program's objects first: a stage's differing copy is refused too.
    const exclusiveFirst = new DeclaredObjects();
    exclusiveFirst.claimNow('platform', [labelled('platform')], [], { exclusive: true });
    expect(() => exclusiveFirst.claimNow('stage', [labelled('a')])).toThrow(/^declared objects: Namespace shared of stage differs from the copy platform declares first/);
    expect(exclusiveFirst.claimNow('stage', [labelled('platform')]).kept).toEqual([]);
  });

  test('a guarded (stateful) object is refused when another claim declared it first, even identical; a later differing copy is refused, an identical one dropped', async () => {
    const declared = new DeclaredObjects();
    declared.claimNow('stage', [ns('data')]);
    const refused = (() => {
      try {
        declared.claimNow('platform', [ns('other'), ns('data')], [], { guarded: [undefined, 'holds a database'] });
      } catch (e) {
        return e as DeclaredObjectConflict;
      }
      throw new Error('not refused');
    })();
    expect([refused.index, refused.heldBy, refused.guarded, refused.differences]).toEqual([1, 'stage', 'holds a database', []]);
    expect(refused.message).toBe('declared objects: Namespace data of platform is guarded there (holds a database), but stage declares it first: its copy would be ' +
      'deployed, without the guard; an object can be declared once: rename one of them, or leave it to one claim');
    const guardedFirst = new DeclaredObjects();
    guardedFirst.claimNow('platform', [ns('data')], [], { guarded: ['holds a database'] });
    await expect(guardedFirst.claim('stage', Promise.resolve([ns('data', { other: 'label' })]))).rejects.toThrow(/^declared objects: Namespace data of stage differs from the copy platform declares first/);
    expect((await guardedFirst.claim('identical', Promise.resolve([ns('data')]))).objects).toEqual([{ heldBy: 'platform', waitsFor: [] }]);
  });
});

const crd = (group: string, kind: string, plural: string, extra: any = {}) => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}`, ...extra.metadata },
  spec: { group, names: { kind, plural }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }], ...extra.spec },
});
const webhooks = (kind: string, name: string, annotations: { [k: string]: string }, rules: any[][]) => ({
  apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name, annotations },
  webhooks: rules.map((r, i) => ({ name: `w${i}.example.org`, rules: r, clientConfig: { service: { name: 'svc', namespace: 'ns' } } })),
});
const INJECT = { 'cert-manager.io/inject-ca-from': 'ns/serving-cert' };
const cert = (name: string) => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name, namespace: 'ns' } });

describe('CA injection by cert-manager', () => {
  test('each of the three annotations asks for it; an APIService, a CRD with a conversion webhook and each webhook of a configuration are awaited', () => {
    expect(CA_KEYS.map((k) => caInjection({ metadata: { annotations: { [k]: k.endsWith('apiserver-ca') ? 'true' : 'ns/x' } } }))).toEqual([
      'cert-manager.io/inject-ca-from: ns/x', 'cert-manager.io/inject-ca-from-secret: ns/x', 'cert-manager.io/inject-apiserver-ca: true',
    ]);
    expect(caInjection({ metadata: { annotations: { 'cert-manager.io/inject-apiserver-ca': 'false' } } })).toBeUndefined();
    expect(injectedCaPaths(webhooks('ValidatingWebhookConfiguration', 'v', INJECT, [[], [], []]))).toEqual([
      'jsonpath={.webhooks[0].clientConfig.caBundle}', 'jsonpath={.webhooks[1].clientConfig.caBundle}', 'jsonpath={.webhooks[2].clientConfig.caBundle}',
    ]);
    expect(injectedCaPaths(crd('example.org', 'Widget', 'widgets', { metadata: { annotations: INJECT }, spec: { conversion: { strategy: 'Webhook' } } })))
      .toEqual(['jsonpath={.spec.conversion.webhook.clientConfig.caBundle}']);
    expect(injectedCaPaths(crd('example.org', 'Widget', 'widgets', { metadata: { annotations: INJECT } }))).toEqual([]); // no conversion webhook
    expect(injectedCaPaths({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.example.org', annotations: INJECT } }))
      .toEqual(['jsonpath={.spec.caBundle}']);
    // Without the annotation, nothing is awaited (Knative's webhooks write their own CA).
    expect(injectedCaPaths(webhooks('MutatingWebhookConfiguration', 'm', {}, [[]]))).toEqual([]);
  });

  test('the wait joins the object\'s own (one expression as a string, several as a JSON list); an empty caBundle is dropped so the wait means something', () => {
    const one = awaitInjectedCa(webhooks('MutatingWebhookConfiguration', 'm', INJECT, [[]]));
    expect(one.metadata.annotations['pulumi.com/waitFor']).toBe('jsonpath={.webhooks[0].clientConfig.caBundle}');
    const withEmpty = webhooks('ValidatingWebhookConfiguration', 'v', INJECT, [[], []]);
    withEmpty.webhooks[1].clientConfig = { ...withEmpty.webhooks[1].clientConfig, caBundle: '' } as any;
    const awaited = awaitInjectedCa(withWaitFor(withEmpty, ['condition=Ready']));
    expect(JSON.parse(awaited.metadata.annotations['pulumi.com/waitFor'])).toEqual([
      'condition=Ready', 'jsonpath={.webhooks[0].clientConfig.caBundle}', 'jsonpath={.webhooks[1].clientConfig.caBundle}',
    ]);
    expect(awaited.webhooks[1].clientConfig).toEqual({ service: { name: 'svc', namespace: 'ns' } });
    expect(withEmpty.webhooks[1].clientConfig).toHaveProperty('caBundle', ''); // the input is not changed
    expect(withWaitFor(one, ['jsonpath={.webhooks[0].clientConfig.caBundle}'])).toBe(one);
    expect(awaitInjectedCa(ns('plain'))).toEqual(ns('plain'));
  });
});

describe('waits the objects imply', () => {
  const certManager = () => [
    ns('cert-manager'), crd('cert-manager.io', 'Certificate', 'certificates'), crd('cert-manager.io', 'Issuer', 'issuers'),
    webhooks('ValidatingWebhookConfiguration', 'cert-manager-webhook', { 'cert-manager.io/inject-ca-from-secret': 'cert-manager/cert-manager-webhook-ca' },
      [[{ apiGroups: ['cert-manager.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['*/*'] }]]),
  ];

  test('an object waits for the claim holding its CRD and for the claims whose CA-injected webhooks admit its creation', () => {
    const declared = new DeclaredObjects();
    declared.claimNow('cert-manager', certManager());
    const operator = declared.claimNow('operator', [
      ns('ops'), cert('serving-cert'), { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'selfsigned', namespace: 'ns' } },
      crd('example.org', 'Widget', 'widgets'),
      webhooks('MutatingWebhookConfiguration', 'widgets', INJECT, [[{ apiGroups: ['example.org'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['widgets'] }]]),
    ]);
    expect(operator.objects.map((o) => o.waitsFor)).toEqual([[], ['cert-manager'], ['cert-manager'], [], []]);
    expect(declared.waits).toEqual([{
      from: 'operator', to: 'cert-manager', reasons: [
        'uses CustomResourceDefinition certificates.cert-manager.io', 'ValidatingWebhookConfiguration cert-manager-webhook (CA injected by cert-manager) admits Certificate.cert-manager.io',
        'uses CustomResourceDefinition issuers.cert-manager.io', 'ValidatingWebhookConfiguration cert-manager-webhook (CA injected by cert-manager) admits Issuer.cert-manager.io',
      ],
    }]);
    const widget = (name: string) => ({ apiVersion: 'example.org/v2', kind: 'Widget', metadata: { name, namespace: 'apps' } });
    const platform = declared.claimNow('platform', [widget('a'), ns('apps')]);
    // Any version of the kind: the rule's matchPolicy is Equivalent by default.
    expect(platform.objects.map((o) => o.waitsFor)).toEqual([['operator'], []]);
    expect(declared.waits.filter((w) => w.from === 'platform')).toEqual([{
      from: 'platform', to: 'operator', reasons: ['uses CustomResourceDefinition widgets.example.org', 'MutatingWebhookConfiguration widgets (CA injected by cert-manager) admits Widget.example.org'],
    }]);
  });

  test.each([
    ['another group', { apiGroups: ['other.org'], operations: ['CREATE'], resources: ['*'] }, false],
    ['updates only (the CA is long there when an object is updated)', { apiGroups: ['example.org'], operations: ['UPDATE'], resources: ['*'] }, false],
    ['a subresource only', { apiGroups: ['example.org'], operations: ['CREATE'], resources: ['gadgets/status'] }, false],
    ['another resource', { apiGroups: ['example.org'], operations: ['CREATE'], resources: ['widgets'] }, false],
    ['every group, resource and operation', { apiGroups: ['*'], operations: ['*'], resources: ['*'] }, true],
    ['resources and subresources', { apiGroups: ['example.org'], operations: ['CREATE'], resources: ['*/*'] }, true],
    ['the plural of a kind without a CRD here', { apiGroups: ['example.org'], operations: ['CREATE'], resources: ['gadgetries'] }, false],
    ['the plural Kubernetes gives the kind', { apiGroups: ['example.org'], operations: ['CREATE'], resources: ['gadgets'] }, true],
  ])('a webhook rule for %s admits the creation of a Gadget: %s', (_, rule, admits) => {
    const declared = new DeclaredObjects();
    declared.claimNow('hooks', [webhooks('ValidatingWebhookConfiguration', 'hooks', INJECT, [[rule]])]);
    const claim = declared.claimNow('user', [{ apiVersion: 'example.org/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'ns' } }]);
    expect(claim.waitsFor).toEqual(admits ? ['hooks'] : []);
  });

  test('a later claim holding what an earlier claim needs is refused, naming both and the fix', () => {
    const crdLater = new DeclaredObjects();
    crdLater.claimNow('operator', [cert('serving-cert')]);
    expect(() => crdLater.claimNow('cert-manager', certManager())).toThrow('declared objects: cert-manager holds CustomResourceDefinition certificates.cert-manager.io, ' +
      'which Certificate.cert-manager.io ns/serving-cert of operator needs, but operator is declared first; declare cert-manager before operator');
    const webhookLater = new DeclaredObjects();
    webhookLater.claimNow('crds', [crd('cert-manager.io', 'Certificate', 'certificates')]);
    webhookLater.claimNow('operator', [cert('serving-cert')]);
    const hooks = certManager().slice(3);
    expect(() => webhookLater.claimNow('cert-manager', hooks)).toThrow('declared objects: cert-manager holds ValidatingWebhookConfiguration cert-manager-webhook, whose CA ' +
      'cert-manager injects, and it admits Certificate.cert-manager.io ns/serving-cert of operator, which is declared first and could be created before the CA is ' +
      'there; declare cert-manager before operator, or make it come after operator');
    // Coming after the claim (directly or through another) is fine: its objects exist before the webhook does.
    const ordered = new DeclaredObjects();
    ordered.claimNow('crds', [crd('cert-manager.io', 'Certificate', 'certificates')]);
    ordered.claimNow('operator', [cert('serving-cert')]);
    ordered.claimNow('middle', [], ['operator']);
    expect(() => ordered.claimNow('cert-manager', hooks, ['middle'])).not.toThrow();
  });
});
