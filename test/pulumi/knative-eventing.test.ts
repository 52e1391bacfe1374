import * as pulumi from '@pulumi/pulumi';
import { mockPulumi, retainedOnDelete, settle } from '../support/pulumi';
import { fixtureReader } from '../support/knative-release';

const mocked = mockPulumi();
import { EVENTING_STAGES, KnativeEventing, eventingManifestUrls, prepareKnativeEventing } from '../../src/pulumi/knative-eventing';
import { readManifests } from '../../src/pulumi/release-install';

// One install, read from the release files once, shared by the tests of this file; its warnings recorded.
const warned: string[] = [];
jest.spyOn(pulumi.log, 'warn').mockImplementation(async (message: string) => {
  warned.push(message);
});
const install = new KnativeEventing('events', { reader: fixtureReader().read });
const installed = settle(Object.values(install.stages));

describe('the event stack install', () => {
  test('pins the releases', () => {
    expect(eventingManifestUrls()).toEqual({
      'cert-manager': 'https://github.com/cert-manager/cert-manager/releases/download/v1.18.2/cert-manager.yaml',
      'rabbitmq-cluster-operator': 'https://github.com/rabbitmq/cluster-operator/releases/download/v2.22.3/cluster-operator.yml',
      'rabbitmq-topology-operator': 'https://github.com/rabbitmq/messaging-topology-operator/releases/download/v1.20.1/messaging-topology-operator-with-certmanager.yaml',
      'eventing-crds': 'https://github.com/knative/eventing/releases/download/knative-v1.22.2/eventing-crds.yaml',
      'eventing-core': 'https://github.com/knative/eventing/releases/download/knative-v1.22.2/eventing-core.yaml',
      'eventing-rabbitmq': 'https://github.com/knative-extensions/eventing-rabbitmq/releases/download/knative-v1.22.1/rabbitmq-broker.yaml',
      'in-memory-channel': 'https://github.com/knative/eventing/releases/download/knative-v1.22.2/in-memory-channel.yaml',
      'mt-channel-broker': 'https://github.com/knative/eventing/releases/download/knative-v1.22.2/mt-channel-broker.yaml',
    });
  });

  test('the manifests are checked; only the CRDs of eventing-crds are kept there', async () => {
    const manifests = await readManifests(eventingManifestUrls(), fixtureReader().read);
    const prepared = prepareKnativeEventing(manifests);
    expect(prepared['eventing-crds'].every((o) => o.kind === 'CustomResourceDefinition')).toBe(true);
    expect(prepared['eventing-crds'].map((o) => o.metadata.name)).toContain('triggers.eventing.knative.dev');
    expect(() => prepareKnativeEventing({ ...manifests, 'cert-manager': [] })).toThrow('the event stack manifests lack cert-manager');
    expect(() => prepareKnativeEventing({ ...manifests, 'eventing-core': [{ kind: 'ConfigMap', metadata: { name: 'x' } }] }))
      .toThrow('eventing-core lacks the knative-eventing Namespace; is it the eventing-core release file?');
  });

  test('installs in dependency order: cert-manager before the operators, both operators before the topology operator, Eventing before its RabbitMQ broker', async () => {
    await installed;
    const deps = (stage: string) => mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', `events-${stage}`).sort();
    expect(Object.fromEntries(EVENTING_STAGES.map((s) => [s.name, deps(s.name)]))).toEqual({
      'cert-manager': [],
      'rabbitmq-cluster-operator': ['events-cert-manager'],
      'rabbitmq-topology-operator': ['events-cert-manager', 'events-rabbitmq-cluster-operator'],
      'eventing-crds': [],
      'eventing-core': ['events-eventing-crds'],
      'eventing-rabbitmq': ['events-eventing-core', 'events-rabbitmq-topology-operator'],
      'in-memory-channel': ['events-eventing-core'],
      'mt-channel-broker': ['events-eventing-core'],
    });
    // Knative's channel-based broker (team brokers) is the two last stages, the real release files.
    expect(install.installs['channel-broker']).toEqual([install.stages['in-memory-channel'], install.stages['mt-channel-broker']]);
    const deployments = (stage: string) => (mocked.get('kubernetes:yaml/v2:ConfigGroup', `events-${stage}`).inputs.objs as any[]).filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect([deployments('in-memory-channel'), deployments('mt-channel-broker')]).toEqual([['imc-controller', 'imc-dispatcher'], ['mt-broker-filter', 'mt-broker-ingress', 'mt-broker-controller']]);
    expect(install.eventingReady).toEqual([install.stages['eventing-core'], install.stages['eventing-rabbitmq']]);
    expect(install.rabbitmqReady).toEqual([install.stages['rabbitmq-cluster-operator'], install.stages['rabbitmq-topology-operator']]);
  });
});

describe('the real Knative Eventing release files', () => {
  test('eventing-core.yaml repeats the 17 CRDs of eventing-crds.yaml byte for byte: the core stage keeps none and waits for the CRDs; Knative\'s own webhooks (their CA is written by the Knative webhook, not cert-manager) get no caBundle wait', async () => {
    await installed;
    const core = mocked.get('kubernetes:yaml/v2:ConfigGroup', 'events-eventing-core').inputs.objs as any[];
    const crds = mocked.get('kubernetes:yaml/v2:ConfigGroup', 'events-eventing-crds').inputs.objs as any[];
    expect(crds).toHaveLength(17);
    expect(core.filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
    const fromCore = install.declared.dropped.filter((d) => d.droppedFrom === 'events-eventing-core');
    expect([fromCore.length, fromCore.every((d) => d.keptBy === 'events-eventing-crds' && d.identical)]).toEqual([17, true]);
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'events-eventing-core')).toEqual(['events-eventing-crds']);
    const hooks = core.filter((o) => /WebhookConfiguration$/.test(o.kind));
    expect(hooks.map((o) => o.metadata.name).sort()).toEqual([
      'config.webhook.eventing.knative.dev', 'sinkbindings.webhook.sources.knative.dev', 'validation.webhook.eventing.knative.dev', 'webhook.eventing.knative.dev',
    ]);
    expect(hooks.filter((o) => o.metadata.annotations?.['pulumi.com/waitFor'])).toEqual([]);
  });
});

describe('objects two release files declare', () => {
  test('the two RabbitMQ operators\' Namespace rabbitmq-system differ (labels): the cluster operator\'s is deployed, with a warning naming both stages and the differences', async () => {
    await installed;
    expect(install.declared.dropped.filter((d) => !d.identical)).toEqual([{
      object: 'Namespace rabbitmq-system', droppedFrom: 'events-rabbitmq-topology-operator', keptBy: 'events-rabbitmq-cluster-operator', identical: false,
      differences: expect.arrayContaining(['metadata.labels["control-plane"]', 'metadata.labels["app.kubernetes.io/part-of"]']),
    }]);
    expect(warned).toEqual([expect.stringMatching(new RegExp('^Namespace rabbitmq-system is declared by install stages events-rabbitmq-cluster-operator and ' +
      'events-rabbitmq-topology-operator with other content \\(metadata\\.labels\\["app\\.kubernetes\\.io/component"\\], .*\\): events-rabbitmq-cluster-operator\'s ' +
      'copy is deployed, events-rabbitmq-topology-operator\'s is not$'))]);
  });
});

describe('teardown', () => {
  test('every CRD of every stage is retained on delete (the RabbitmqCluster\'s among them: its deletion would take the queues\' volumes); no other object is', async () => {
    await installed;
    const retained = await retainedOnDelete(mocked, EVENTING_STAGES.map((s) => `events-${s.name}`));
    expect(retained).toHaveLength(39);
    expect(retained).toEqual(expect.arrayContaining(['events-rabbitmq-cluster-operator:rabbitmqclusters.rabbitmq.com', 'events-eventing-crds:brokers.eventing.knative.dev',
      'events-in-memory-channel:inmemorychannels.messaging.knative.dev',
      'events-eventing-crds:triggers.eventing.knative.dev', 'events-eventing-rabbitmq:rabbitmqbrokerconfigs.eventing.knative.dev', 'events-cert-manager:certificates.cert-manager.io']));
  });
});

describe('webhooks whose CA cert-manager injects', () => {
  const ready = installed;
  const objs = (stage: string) => mocked.get('kubernetes:yaml/v2:ConfigGroup', `events-${stage}`).inputs.objs as any[];

  test('every one of them, in every stage, is awaited until each of its webhooks has a caBundle; no other object gets that wait', async () => {
    await ready;
    const annotated = EVENTING_STAGES.flatMap((s) => objs(s.name).map((o) => ({ stage: s.name, o })))
      .filter(({ o }) => Object.keys(o.metadata.annotations ?? {}).some((k) => k.startsWith('cert-manager.io/inject-')));
    expect(annotated.map(({ stage, o }) => `${stage}: ${o.kind} ${o.metadata.name}`)).toEqual([
      'cert-manager: MutatingWebhookConfiguration cert-manager-webhook',
      'cert-manager: ValidatingWebhookConfiguration cert-manager-webhook',
      'rabbitmq-cluster-operator: MutatingWebhookConfiguration cluster-operator-mutating-webhook-configuration',
      'rabbitmq-cluster-operator: ValidatingWebhookConfiguration cluster-operator-validating-webhook-configuration',
      'rabbitmq-topology-operator: MutatingWebhookConfiguration messaging-topology-mutating-webhook-configuration',
      'rabbitmq-topology-operator: ValidatingWebhookConfiguration messaging-topology-validating-webhook-configuration',
    ]);
    for (const { o } of annotated) {
      const waitFor = o.metadata.annotations['pulumi.com/waitFor'];
      const expressions = o.webhooks.length === 1 ? [waitFor] : JSON.parse(waitFor);
      expect(expressions).toEqual(o.webhooks.map((_: unknown, i: number) => `jsonpath={.webhooks[${i}].clientConfig.caBundle}`));
    }
    expect(JSON.parse(annotated[5].o.metadata.annotations['pulumi.com/waitFor'])).toHaveLength(13);
    const others = EVENTING_STAGES.flatMap((s) => objs(s.name)).filter((o) => !annotated.some((a) => a.o === o));
    expect(others.filter((o) => o.metadata.annotations?.['pulumi.com/waitFor'])).toEqual([]);
  });

  test('the stages whose objects those webhooks admit, or whose CRDs they use, wait for them: why each stage waits', async () => {
    await ready;
    const why = Object.fromEntries(install.declared.waits.map((w) => [`${w.from} → ${w.to}`, w.reasons]));
    expect(why['events-rabbitmq-cluster-operator → events-cert-manager']).toEqual(expect.arrayContaining([
      'uses CustomResourceDefinition certificates.cert-manager.io', 'uses CustomResourceDefinition issuers.cert-manager.io',
      'ValidatingWebhookConfiguration cert-manager-webhook (CA injected by cert-manager) admits Certificate.cert-manager.io',
      'ValidatingWebhookConfiguration cert-manager-webhook (CA injected by cert-manager) admits Issuer.cert-manager.io',
    ]));
    expect(why['events-rabbitmq-topology-operator → events-cert-manager']).toEqual(expect.arrayContaining([
      'ValidatingWebhookConfiguration cert-manager-webhook (CA injected by cert-manager) admits Certificate.cert-manager.io',
    ]));
    expect(why['events-rabbitmq-topology-operator → events-rabbitmq-cluster-operator']).toEqual(expect.arrayContaining(['Namespace rabbitmq-system is held there']));
  });
});
