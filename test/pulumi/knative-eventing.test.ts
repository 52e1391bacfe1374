import { mockPulumi, settle } from '../support/pulumi';
import { fixtureReader } from '../support/knative-release';

const mocked = mockPulumi();
import { EVENTING_STAGES, KnativeEventing, eventingManifestUrls, prepareKnativeEventing } from '../../src/pulumi/knative-eventing';
import { readManifests } from '../../src/pulumi/release-install';

describe('the event stack install', () => {
  test('pins the releases', () => {
    expect(eventingManifestUrls()).toEqual({
      'cert-manager': 'https://github.com/cert-manager/cert-manager/releases/download/v1.18.2/cert-manager.yaml',
      'rabbitmq-cluster-operator': 'https://github.com/rabbitmq/cluster-operator/releases/download/v2.22.3/cluster-operator.yml',
      'rabbitmq-topology-operator': 'https://github.com/rabbitmq/messaging-topology-operator/releases/download/v1.20.1/messaging-topology-operator-with-certmanager.yaml',
      'eventing-crds': 'https://github.com/knative/eventing/releases/download/knative-v1.22.2/eventing-crds.yaml',
      'eventing-core': 'https://github.com/knative/eventing/releases/download/knative-v1.22.2/eventing-core.yaml',
      'eventing-rabbitmq': 'https://github.com/knative-extensions/eventing-rabbitmq/releases/download/knative-v1.22.1/rabbitmq-broker.yaml',
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

  test('installs in dependency order: operators before the topology operator, Eventing before its RabbitMQ broker', async () => {
    const install = new KnativeEventing('events', { reader: fixtureReader().read });
    await settle(Object.values(install.stages));
    const deps = (stage: string) => mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', `events-${stage}`).sort();
    expect(Object.fromEntries(EVENTING_STAGES.map((s) => [s.name, deps(s.name)]))).toEqual({
      'cert-manager': [],
      'rabbitmq-cluster-operator': [],
      'rabbitmq-topology-operator': ['events-cert-manager', 'events-rabbitmq-cluster-operator'],
      'eventing-crds': [],
      'eventing-core': ['events-eventing-crds'],
      'eventing-rabbitmq': ['events-eventing-core', 'events-rabbitmq-topology-operator'],
    });
    expect(install.eventingReady).toEqual([install.stages['eventing-core'], install.stages['eventing-rabbitmq']]);
    expect(install.rabbitmqReady).toEqual([install.stages['rabbitmq-cluster-operator'], install.stages['rabbitmq-topology-operator']]);
  });
});
