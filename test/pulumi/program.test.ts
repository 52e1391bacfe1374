/**
 * The whole Pulumi program under mocks, from stack configuration to stack outputs.
 */
import * as pulumi from '@pulumi/pulumi';
import * as pulumiRuntimeResource from '@pulumi/pulumi/runtime/resource';
import { mockPulumi, programState, settle, valueOf } from '../support/pulumi';
import { fixtureReader } from '../support/knative-release';

const mocked = mockPulumi(programState);
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { Profile } from '../../constructs';
import { buildReferencePlatform } from '../../src/reference-platform';
import { ConfigError, readConfig } from '../../src/pulumi/config';
import { runProgram } from '../../src/pulumi/program';
import { identity } from '../../constructs/core/uniqueness';
import { EVENTING_STAGES, eventingManifestUrls, prepareKnativeEventing } from '../../src/pulumi/knative-eventing';
import { KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION, knativeServingManifestUrls, prepareKnativeServing } from '../../src/pulumi/knative-serving';
import { parseManifests, readManifests } from '../../src/pulumi/release-install';

function config(values: { [key: string]: string }, secrets: string[] = []): pulumi.Config {
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`platform-blueprints:${k}`, v])),
    secrets.map((k) => `platform-blueprints:${k}`));
  return new pulumi.Config('platform-blueprints');
}

// The program's warnings (pulumi.log.warn), recorded instead of printed.
const warned: string[] = [];
jest.spyOn(pulumi.log, 'warn').mockImplementation(async (message: string) => {
  warned.push(message);
});

describe('the Pulumi program', () => {
  const reader = fixtureReader();
  const running = runProgram({
    config: readConfig(config({ profile: 'dev', knativeDomain: '127.0.0.1.sslip.io', ingressServiceType: 'NodePort' })),
    reader: reader.read,
  });
  const planned = (() => {
    const app = new App();
    // dev: the store is in-cluster, so neither Crossplane nor the platform APIs are deployed.
    buildReferencePlatform(app, { profile: Profile.DEV, platformApis: false });
    return app.charts.flatMap((c) => c.toJson());
  })();
  const done = (async () => {
    const outputs = await running;
    await valueOf(outputs.gatewayUrl);
    await settle([]);
    return outputs;
  })();

  test('installs Knative Serving (CRDs, core, kourier) and the event stack from the pinned releases', async () => {
    await done;
    expect(reader.urls).toEqual([
      'https://github.com/knative/serving/releases/download/knative-v1.22.1/serving-crds.yaml',
      'https://github.com/knative/serving/releases/download/knative-v1.22.1/serving-core.yaml',
      'https://github.com/knative-extensions/net-kourier/releases/download/knative-v1.22.1/kourier.yaml',
      'https://github.com/cert-manager/cert-manager/releases/download/v1.18.2/cert-manager.yaml',
      'https://github.com/rabbitmq/cluster-operator/releases/download/v2.22.3/cluster-operator.yml',
      'https://github.com/rabbitmq/messaging-topology-operator/releases/download/v1.20.1/messaging-topology-operator-with-certmanager.yaml',
      'https://github.com/knative/eventing/releases/download/knative-v1.22.2/eventing-crds.yaml',
      'https://github.com/knative/eventing/releases/download/knative-v1.22.2/eventing-core.yaml',
      'https://github.com/knative-extensions/eventing-rabbitmq/releases/download/knative-v1.22.1/rabbitmq-broker.yaml',
      // The analytics team's own broker is channel-based.
      'https://github.com/knative/eventing/releases/download/knative-v1.22.2/in-memory-channel.yaml',
      'https://github.com/knative/eventing/releases/download/knative-v1.22.2/mt-channel-broker.yaml',
      // The reference platform's continuous verification runs on Tekton.
      'https://infra.tekton.dev/tekton-releases/pipeline/previous/v1.15.0/release.yaml',
      'https://infra.tekton.dev/tekton-releases/triggers/previous/v0.37.0/release.yaml',
      'https://infra.tekton.dev/tekton-releases/triggers/previous/v0.37.0/interceptors.yaml',
      // The reference Promises run on Kratix, installed with its single-cluster setup.
      'https://github.com/syntasso/kratix/releases/download/latest/kratix.yaml',
      'https://raw.githubusercontent.com/syntasso/kratix/ae170e22e974e45bb7cfda00986057e01b3ccfde/hack/destination/gitops-tk-install.yaml',
      'https://raw.githubusercontent.com/syntasso/kratix/ae170e22e974e45bb7cfda00986057e01b3ccfde/config/samples/minio-install.yaml',
      'https://raw.githubusercontent.com/syntasso/kratix/ae170e22e974e45bb7cfda00986057e01b3ccfde/config/samples/platform_v1alpha1_bucketstatestore.yaml',
      'https://raw.githubusercontent.com/syntasso/kratix/ae170e22e974e45bb7cfda00986057e01b3ccfde/config/samples/platform_v1alpha1_worker.yaml',
      'https://raw.githubusercontent.com/syntasso/kratix/ae170e22e974e45bb7cfda00986057e01b3ccfde/hack/destination/gitops-tk-resources-single-cluster.yaml',
    ]);
    // The real Knative files passed their pins; only the event stack's and Tekton's files, not pinned yet, were trusted
    // on first use (with a warning).
    expect(reader.warnings.map((w) => w.split(': ')[0].split('/').slice(-2).join('/')).sort()).toEqual([
      'v0.37.0/interceptors.yaml', 'v0.37.0/release.yaml', 'v1.15.0/release.yaml', 'v1.18.2/cert-manager.yaml', 'v1.20.1/messaging-topology-operator-with-certmanager.yaml',
      'v2.22.3/cluster-operator.yml', 'knative-v1.22.1/rabbitmq-broker.yaml', 'latest/kratix.yaml',
    ].sort());
    // Tekton's events go to the broker the continuous verification declares.
    const events = mocked.registrations.find((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup' && r.name === 'tekton-pipelines');
    expect(events?.inputs.objs.find((o: any) => o.metadata?.name === 'config-events')?.data).toMatchObject({ sink: 'http://game-broker-ingress.events.svc.cluster.local', formats: 'tektonv1' });
    const core = mocked.get('kubernetes:yaml/v2:ConfigGroup', 'knative-serving-core').inputs.objs;
    const defaults = core.find((o: any) => o.metadata.name === 'config-defaults');
    // The gateway asks for one hour (WebSockets); the install raises Knative's ceiling to match.
    expect(defaults.data['max-revision-timeout-seconds']).toBe('3600');
  });

  test('every object of the program is declared once across every install stage and the platform (group, kind, namespace, name)', async () => {
    await done;
    const stageNames = ['knative-serving-crds', 'knative-serving-core', 'knative-serving-kourier', ...EVENTING_STAGES.map((s) => `event-stack-${s.name}`)];
    const stages = stageNames.map((n) => mocked.get('kubernetes:yaml/v2:ConfigGroup', n));
    const platform = mocked.registrations.filter((r) => r.parent.endsWith('Cdk8sDeployment::functions-platform') && r.type.startsWith('kubernetes:'));
    const id = (o: any) => identity(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
    const registered = [...stages.flatMap((s) => s.inputs.objs.map(id)), ...platform.map((r) => id(r.inputs))];
    expect(registered.filter((x, i) => registered.indexOf(x) !== i)).toEqual([]);
    // What the stages were given (the release files, prepared) did declare objects twice, and nothing was lost.
    const read = fixtureReader().read;
    const serving = prepareKnativeServing(Object.fromEntries(await Promise.all(Object.entries(knativeServingManifestUrls(KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION))
      .map(async ([k, url]) => [k, parseManifests(await read(url), url)]))) as any, { maxRevisionTimeoutSeconds: 3600 });
    const stack = prepareKnativeEventing(await readManifests(eventingManifestUrls(), read));
    const given = [...serving.crds, ...serving.core, ...serving.kourier, ...EVENTING_STAGES.flatMap((s) => stack[s.name]), ...planned].map(id);
    const twice = [...new Set(given.filter((x, i) => given.indexOf(x) !== i))];
    expect(twice).toEqual(expect.arrayContaining(['|Namespace||rabbitmq-system', 'apiextensions.k8s.io|CustomResourceDefinition||brokers.eventing.knative.dev']));
    expect(new Set(registered.filter((x) => x !== '|Secret|functions|redis-auth'))).toEqual(new Set(given)); // the Secret is made at deploy time
    // The topology operator's copy of the Namespace is the one dropped; its stage waits for the cluster operator's.
    expect(mocked.get('kubernetes:yaml/v2:ConfigGroup', 'event-stack-rabbitmq-topology-operator').inputs.objs.some((o: any) => o.kind === 'Namespace')).toBe(false);
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'event-stack-rabbitmq-topology-operator')).toContain('event-stack-rabbitmq-cluster-operator');
    // Its labels differ from the kept copy's: said once, naming both stages.
    // Kratix's MinIO file declares the Kratix namespace too, with fewer labels: Kratix's copy is deployed.
    expect(warned.filter((w) => w.includes('with other content'))).toEqual([expect.stringMatching(
      /^Namespace rabbitmq-system is declared by install stages event-stack-rabbitmq-cluster-operator and event-stack-rabbitmq-topology-operator with other content/),
    expect.stringMatching(/^Namespace kratix-platform-system is declared by install stages kratix-kratix and kratix-minio with other content .*: kratix-kratix's copy is deployed, kratix-minio's is not$/)]);
  });

  test('CRDs before their users, everywhere: every custom object of a stage or of the platform waits for the stage holding its CRD', async () => {
    await done;
    const stageNames = ['knative-serving-crds', 'knative-serving-core', 'knative-serving-kourier', ...EVENTING_STAGES.map((s) => `event-stack-${s.name}`)];
    const crdHolder = new Map<string, string>();
    for (const stage of stageNames) {
      for (const o of mocked.get('kubernetes:yaml/v2:ConfigGroup', stage).inputs.objs) {
        if (o.kind === 'CustomResourceDefinition') crdHolder.set(`${o.spec.group}/${o.spec.names.kind}`, stage);
      }
    }
    expect(crdHolder.size).toBeGreaterThan(40);
    const checked: string[] = [];
    const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
    for (const stage of stageNames) {
      for (const o of mocked.get('kubernetes:yaml/v2:ConfigGroup', stage).inputs.objs) {
        const holder = crdHolder.get(`${group(o.apiVersion)}/${o.kind}`);
        if (!holder || holder === stage) continue;
        checked.push(`${stage}: ${o.kind}`);
        expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', stage)).toContain(holder);
      }
    }
    for (const r of mocked.registrations.filter((x) => x.parent.endsWith('Cdk8sDeployment::functions-platform') && x.type.startsWith('kubernetes:'))) {
      const holder = crdHolder.get(`${group(r.inputs.apiVersion)}/${r.inputs.kind}`);
      if (!holder) continue;
      checked.push(`platform: ${r.inputs.kind}`);
      expect(r.dependencies.map((u) => u.split('::').pop())).toContain(holder);
    }
    expect(checked).toEqual(expect.arrayContaining(['knative-serving-core: Image', 'event-stack-rabbitmq-cluster-operator: Certificate',
      'platform: Service', 'platform: Broker', 'platform: Trigger', 'platform: RabbitmqCluster', 'platform: RabbitmqBrokerConfig']));
  });

  test('registers every object of the reference platform, plus the generated Redis Secret', async () => {
    await done;
    const deployed = mocked.registrations.filter((r) => r.parent.endsWith('Cdk8sDeployment::functions-platform') && r.type.startsWith('kubernetes:'));
    expect(deployed).toHaveLength(planned.length + 1);
    for (const o of planned) {
      const group = o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`;
      const name = `functions-platform/${o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name}`;
      expect(deployed.some((r) => r.type === `kubernetes:${group}:${o.kind}` && r.name === name)).toBe(true);
    }
  });

  test('every function and the gateway wait for the whole Knative install', async () => {
    await done;
    for (const name of ['hello', 'player', 'echo', 'gateway']) {
      expect(mocked.dependencyNames('kubernetes:serving.knative.dev/v1:Service', `functions-platform/functions/${name}`))
        .toEqual(expect.arrayContaining(['knative-serving-crds', 'knative-serving-core', 'knative-serving-kourier', 'functions-platform/functions']));
    }
    // Built-in kinds do not wait for Knative.
    expect(mocked.dependencyNames('kubernetes:apps/v1:StatefulSet', 'functions-platform/functions/redis')).not.toContain('knative-serving-core');
  });

  test('the event objects wait for the installs they need and the objects they name: brokers and triggers for Eventing and eventing-rabbitmq, sources and bindings for Eventing and their broker, RabbitMQ for its operator', async () => {
    await done;
    for (const [type, name] of [
      ['kubernetes:eventing.knative.dev/v1:Broker', 'functions-platform/events/game'],
      ['kubernetes:eventing.knative.dev/v1:Trigger', 'functions-platform/events/game-to-leaderboard'],
    ]) {
      expect(mocked.dependencyNames(type, name)).toEqual(expect.arrayContaining(['event-stack-eventing-core', 'event-stack-eventing-rabbitmq']));
    }
    for (const [type, name] of [
      ['kubernetes:sources.knative.dev/v1:PingSource', 'functions-platform/events/game-tick'],
      ['kubernetes:sources.knative.dev/v1:SinkBinding', 'functions-platform/functions/player-to-game'],
    ]) {
      expect(mocked.dependencyNames(type, name)).toEqual(expect.arrayContaining(['event-stack-eventing-core', 'functions-platform/events/game']));
    }
    expect(mocked.dependencyNames('kubernetes:eventing.knative.dev/v1:Trigger', 'functions-platform/events/game-to-leaderboard'))
      .toEqual(expect.arrayContaining(['functions-platform/events/game', 'functions-platform/functions/leaderboard']));
    expect(mocked.dependencyNames('kubernetes:sources.knative.dev/v1:SinkBinding', 'functions-platform/functions/player-to-game'))
      .toEqual(expect.arrayContaining(['functions-platform/functions/player']));
    expect(mocked.dependencyNames('kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster', 'functions-platform/events/rabbitmq'))
      .toEqual(expect.arrayContaining(['event-stack-rabbitmq-cluster-operator']));
    // The analytics team's broker (channel-based) and its Trigger wait for the channel-based broker's install.
    expect(mocked.dependencyNames('kubernetes:eventing.knative.dev/v1:Broker', 'functions-platform/team-analytics/events'))
      .toEqual(expect.arrayContaining(['event-stack-eventing-core', 'event-stack-in-memory-channel', 'event-stack-mt-channel-broker']));
    expect(mocked.dependencyNames('kubernetes:eventing.knative.dev/v1:Trigger', 'functions-platform/team-analytics/events-to-score-stats'))
      .toEqual(expect.arrayContaining(['event-stack-mt-channel-broker', 'functions-platform/team-analytics/events', 'functions-platform/team-analytics/score-stats']));
    // A Broker waits for its RabbitmqBrokerConfig (spec.config), which waits for the RabbitmqCluster.
    const config = mocked.registrations.find((r) => r.type === 'kubernetes:eventing.knative.dev/v1alpha1:RabbitmqBrokerConfig' && r.name.startsWith('functions-platform/events/'))!;
    expect(mocked.dependencyNames('kubernetes:eventing.knative.dev/v1:Broker', 'functions-platform/events/game')).toContain(config.name);
    expect(config.dependencies.map((u) => u.split('::').pop())).toContain('functions-platform/events/rabbitmq');
    const broker = mocked.get('kubernetes:eventing.knative.dev/v1:Broker', 'functions-platform/events/game');
    expect([broker.inputs.metadata.annotations['pulumi.com/waitFor'], broker.createTimeout]).toEqual(['condition=Ready', '10m']);
  });

  test('the RabbitMQ cluster and the namespaces holding state are protected', async () => {
    await done;
    const guarded = mocked.registrations.filter((r) => r.protect).map((r) => `${r.type} ${r.name}`).sort();
    expect(guarded).toEqual([
      'kubernetes:apps/v1:StatefulSet functions-platform/functions/redis',
      'kubernetes:core/v1:Namespace functions-platform/events',
      'kubernetes:core/v1:Namespace functions-platform/functions',
      // Deleting a Promise deletes what every request of it made.
      'kubernetes:platform.kratix.io/v1alpha1:Promise functions-platform/amqp-broker',
      'kubernetes:platform.kratix.io/v1alpha1:Promise functions-platform/functions-platform',
      'kubernetes:rabbitmq.com/v1beta1:RabbitmqCluster functions-platform/events/rabbitmq',
    ]);
  });

  test('every Knative Service is awaited until Ready, so a broken revision fails `pulumi up`', async () => {
    await done;
    for (const name of ['hello', 'player', 'echo', 'gateway']) {
      const r = mocked.get('kubernetes:serving.knative.dev/v1:Service', `functions-platform/functions/${name}`);
      expect(r.inputs.metadata.annotations['pulumi.com/waitFor']).toBe('condition=Ready');
      expect(r.createTimeout).toBe('10m');
    }
  });

  test('the publisher bound by the SinkBinding is applied by force on updates (the webhook co-owns its containers); the other functions are not', async () => {
    await done;
    const forced = ['hello', 'player', 'echo', 'leaderboard', 'gateway']
      .filter((n) => mocked.get('kubernetes:serving.knative.dev/v1:Service', `functions-platform/functions/${n}`).inputs.metadata.annotations['pulumi.com/patchForce'] === 'true');
    expect(forced).toEqual(['player']);
  });

  test('outputs the gateway URL Knative reports, the functions\' in-cluster URLs, and where the password lives', async () => {
    const outputs = await done;
    expect(await valueOf(outputs.gatewayUrl)).toBe('http://gateway.functions.127.0.0.1.sslip.io');
    expect(outputs.functions).toEqual({
      hello: 'http://hello.functions.svc.cluster.local',
      player: 'http://player.functions.svc.cluster.local',
      echo: 'http://echo.functions.svc.cluster.local',
      leaderboard: 'http://leaderboard.functions.svc.cluster.local',
    });
    // The address the Broker reports (the mocks answer as eventing-rabbitmq does), the one the construct promised.
    expect([outputs.eventsNamespace, await valueOf(outputs.brokerUrl)]).toEqual(['events', 'http://game-broker-ingress.events.svc.cluster.local']);
    expect([outputs.store, await valueOf(outputs.storeSecret)]).toEqual(['in-cluster', 'redis-auth']);
    expect(JSON.stringify(await valueOf(pulumi.output(outputs)))).not.toContain('mock-generated-password');
  });

  test('the generated password reaches only its Secret, as a secret', async () => {
    await done;
    const carriers = mocked.registrations.filter((r) => JSON.stringify(r.inputs ?? {}).includes('mock-generated-password'));
    expect(carriers.map((r) => r.type)).toEqual(['kubernetes:core/v1:Secret']);
    expect(carriers[0].secretInputs).toEqual(['stringData']);
  });
});

describe('stack configuration', () => {
  test('image overrides reach every image the reference platform runs, the dead-letter sink included', () => {
    const app = new App();
    const overrides = { leaderboard: 'ghcr.io/me/board:3', deadLetters: 'ghcr.io/me/dlq:1', redis: 'redis:8.2.7' };
    buildReferencePlatform(app, { images: overrides });
    const images = app.charts.flatMap((c) => c.toJson()).filter((o) => o.kind === 'Service' || o.kind === 'StatefulSet')
      .flatMap((o) => (o.spec.template?.spec?.containers ?? []).map((c: any) => `${o.metadata.name}=${c.image}`));
    expect(images).toEqual(expect.arrayContaining(['leaderboard=ghcr.io/me/board:3', 'dead-letters=ghcr.io/me/dlq:1', 'redis=redis:8.2.7']));
  });

  test('Pulumi.yaml declares exactly the keys the program reads', () => {
    const read = new Set<string>();
    const spies = (['get', 'getObject', 'getSecret'] as const).map((m) => {
      const original = (pulumi.Config.prototype as any)[m];
      return jest.spyOn(pulumi.Config.prototype as any, m).mockImplementation(function (this: pulumi.Config, key: any) {
        read.add(key);
        return original.call(this, key);
      });
    });
    readConfig(config({}));
    spies.forEach((s) => s.mockRestore());
    const declared = Object.keys(parse(fs.readFileSync(path.join(__dirname, '..', '..', 'Pulumi.yaml'), 'utf8')).config);
    // Pulumi's project schema types only strings, numbers, booleans and arrays: the image map and the secret stay
    // undeclared there (the README's stack configuration table lists every key).
    const undeclared = ['images', 'redisPassword'];
    expect([...read].sort()).toEqual([...declared, ...undeclared].sort());
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const key of read) expect(readme).toContain(`\`${key}\``);
  });

  test('typed defaults', () => {
    const c = readConfig(config({}));
    expect(c.platform).toEqual({
      profile: 'dev', namespace: undefined, eventsNamespace: undefined, images: undefined, gatewayMinScale: undefined, functionMinScale: undefined, redisStorageGi: undefined,
      store: 'in-cluster', platformApis: false, crossplaneMode: undefined, gcp: undefined, storeProvider: undefined,
    });
    expect([c.installKnative, c.installEventing, c.crossplane]).toEqual([true, true, false]);
    // prod claims its store, so it installs Crossplane unless told otherwise.
    expect(readConfig(config({ profile: 'prod' })).platform).toMatchObject({ store: 'claim', platformApis: true });
    expect(c.redisPassword).toBeUndefined();
  });

  test('every knob', async () => {
    const c = readConfig(config({
      profile: 'prod', namespace: 'fx', images: JSON.stringify({ hello: 'ghcr.io/me/hello:2' }), gatewayMinScale: '3', functionMinScale: '2',
      redisStorageGi: '20', installKnative: 'false', installEventing: 'false', knativeDomain: 'fx.example.com', ingressServiceType: 'ClusterIP',
      knativeManifestsDir: '/mirror', redisPassword: 'chosen-password-123', eventsNamespace: 'fx-events', store: 'in-cluster', crossplane: 'true',
      crossplaneMode: 'claims', gcpRegion: 'europe-west1', gcpNetwork: 'projects/acme/global/networks/apps', storeProvider: 'gcp', crossplaneChart: '/charts/crossplane-2.3.4.tgz',
    }, ['redisPassword']));
    expect(c.platform).toEqual({
      profile: 'prod', namespace: 'fx', eventsNamespace: 'fx-events', images: { hello: 'ghcr.io/me/hello:2' }, gatewayMinScale: 3, functionMinScale: 2, redisStorageGi: 20,
      store: 'in-cluster', platformApis: true, crossplaneMode: 'claims', gcp: { region: 'europe-west1', authorizedNetwork: 'projects/acme/global/networks/apps' }, storeProvider: 'gcp',
    });
    expect([c.crossplane, c.crossplaneChart]).toEqual([true, '/charts/crossplane-2.3.4.tgz']);
    expect([c.installKnative, c.installEventing, c.knativeDomain, c.ingressServiceType, c.knativeManifestsDir]).toEqual([false, false, 'fx.example.com', 'ClusterIP', '/mirror']);
    expect(await pulumi.isSecret(c.redisPassword as pulumi.Output<string>)).toBe(true);
  });

  test.each([
    [{ profile: 'staging' }, 'platform-blueprints:profile ("staging") must be one of dev, prod'],
    [{ gatewayMinScale: 'two' }, 'platform-blueprints:gatewayMinScale ("two") must be a whole number >= 0'],
    [{ redisStorageGi: '0' }, 'platform-blueprints:redisStorageGi ("0") must be a whole number >= 1'],
    [{ ingressServiceType: 'Ingress' }, 'platform-blueprints:ingressServiceType ("Ingress") must be one of LoadBalancer, NodePort, ClusterIP'],
    [{ installKnative: 'yes' }, 'platform-blueprints:installKnative ("yes") must be true or false'],
    [{ installEventing: '1' }, 'platform-blueprints:installEventing ("1") must be true or false'],
    [{ allowUnpinnedReleases: 'yes' }, 'platform-blueprints:allowUnpinnedReleases ("yes") must be true or false'],
    [{ images: '["a"]' }, 'platform-blueprints:images (["a"]) must be an object of image references by name'],
    [{ profile: 'prod', crossplane: 'false' }, 'platform-blueprints:crossplane (false) is off, but the store is claimed (profile prod); set it to true, or store to in-cluster'],
    [{ store: 'managed' }, 'platform-blueprints:store ("managed") must be one of in-cluster, claim'],
    [{ crossplaneMode: 'v3' }, 'platform-blueprints:crossplaneMode ("v3") must be one of claims, namespaced'],
    [{ gcpRegion: 'europe-west1' }, 'platform-blueprints:gcpNetwork (undefined) is required with gcpRegion'],
    [{ profile: 'prod', storeProvider: 'gcp' }, 'platform-blueprints:storeProvider ("gcp") needs gcpRegion and gcpNetwork'],
    [{ profile: 'prod', redisPassword: 'x' }, 'platform-blueprints:redisPassword ("[secret]") sets the in-cluster Redis\' password, but the store is claimed'],
    [{ images: '{"helo":"ghcr.io/me/hello:2"}' }, 'platform-blueprints:images ({"helo":"ghcr.io/me/hello:2"}) names "helo", which is not an image of the platform; use hello, player, echo, leaderboard, gateway, redis, deadLetters, alerts'],
  ])('bad value %j', (values, message) => {
    expect(() => readConfig(config(values))).toThrow(ConfigError);
    expect(() => readConfig(config(values))).toThrow(message);
  });
});

describe('the program with a claimed store (profile prod)', () => {
  // Run when this block starts, so the registrations of the block above are complete and separate.
  let outputs: Awaited<ReturnType<typeof runProgram>>;
  let done: Promise<void>;
  beforeAll(() => {
    done = (async () => {
      outputs = await runProgram({
        config: readConfig(config({ profile: 'prod', namespace: 'shop', eventsNamespace: 'shop-events', installKnative: 'false', installEventing: 'false', installTekton: 'false', installKratix: 'false' })),
        reader: () => Promise.reject(new Error('must not read manifests')),
      });
      await valueOf(outputs.gatewayUrl);
      await settle([]);
    })();
  });
  const XRD = 'functions-platform/keyvaluestores.data.platform-blueprints.io';
  const COMPOSITION = 'functions-platform/local.keyvaluestores.data.platform-blueprints.io';

  test('installs Crossplane from its pinned chart, awaited', async () => {
    await done;
    expect(mocked.get('kubernetes:helm.sh/v3:Release', 'crossplane/crossplane').inputs).toMatchObject({
      chart: 'crossplane', version: '2.3.4', repositoryOpts: { repo: 'https://charts.crossplane.io/stable' }, namespace: 'crossplane-system', createNamespace: true, skipAwait: false,
    });
  });

  test('orders the platform APIs: Crossplane → functions and providers → provider configs → XRDs → compositions → the claim', async () => {
    await done;
    const deps = (type: string, name: string) => mocked.dependencyNames(type, name);
    expect(deps('kubernetes:pkg.crossplane.io/v1:Function', 'functions-platform/function-go-templating')).toContain('crossplane/crossplane');
    expect(deps('kubernetes:pkg.crossplane.io/v1:Provider', 'functions-platform/provider-kubernetes')).toContain('crossplane/crossplane');
    expect(deps('kubernetes:kubernetes.m.crossplane.io/v1alpha1:ClusterProviderConfig', 'functions-platform/in-cluster')).toContain('functions-platform/provider-kubernetes');
    expect(deps('kubernetes:apiextensions.crossplane.io/v2:CompositeResourceDefinition', XRD)).toContain('crossplane/crossplane');
    expect(deps('kubernetes:apiextensions.crossplane.io/v1:Composition', COMPOSITION))
      .toEqual(expect.arrayContaining([XRD, 'functions-platform/function-go-templating', 'functions-platform/function-auto-ready', 'crossplane/crossplane']));
    expect(deps('kubernetes:data.platform-blueprints.io/v1alpha1:KeyValueStore', 'functions-platform/shop/redis')).toEqual(expect.arrayContaining([XRD, 'functions-platform/shop']));
  });

  test('the claim is awaited until Ready (30 minutes: managed services take time) and protected, so are the XRDs; functions wait for the claim', async () => {
    await done;
    const claim = mocked.get('kubernetes:data.platform-blueprints.io/v1alpha1:KeyValueStore', 'functions-platform/shop/redis');
    expect([claim.inputs.metadata.annotations['pulumi.com/waitFor'], claim.protect, claim.retainOnDelete, claim.createTimeout]).toEqual(['condition=Ready', true, true, '30m']);
    expect(mocked.dependencyNames('kubernetes:data.platform-blueprints.io/v1alpha1:KeyValueStore', 'functions-platform/shop/redis')).toEqual(expect.arrayContaining([COMPOSITION]));
    expect(mocked.dependencyNames('kubernetes:serving.knative.dev/v1:Service', 'functions-platform/shop/hello')).toContain('functions-platform/shop/redis');
    expect(mocked.get('kubernetes:apiextensions.crossplane.io/v2:CompositeResourceDefinition', XRD).protect).toBe(true);
    expect(mocked.dependencyNames('kubernetes:pkg.crossplane.io/v1:Provider', 'functions-platform/provider-kubernetes')).toContain('functions-platform/provider-kubernetes');
    expect(mocked.dependencyNames('kubernetes:apiextensions.crossplane.io/v1:Composition', COMPOSITION))
      .toEqual(expect.arrayContaining(['functions-platform/in-cluster', 'functions-platform/platform-blueprints:provider-kubernetes']));
    expect(mocked.get('kubernetes:apiextensions.crossplane.io/v2:CompositeResourceDefinition', XRD).inputs.metadata.annotations['pulumi.com/waitFor']).toBe('condition=Established');
    expect([outputs.store, await valueOf(outputs.storeSecret)]).toEqual(['claim', 'redis-connection']);
    expect(mocked.registrations.some((r) => r.type === 'kubernetes:apps/v1:StatefulSet' && r.name.startsWith('functions-platform/shop/'))).toBe(false);
    expect(mocked.registrations.some((r) => r.type === 'random:index/randomPassword:RandomPassword' && r.name.includes('/shop/'))).toBe(false);
  });
});

describe('the program without the installs', () => {
  test('deploys the platform alone when the cluster already runs Knative and the event stack', async () => {
    const before = mocked.registrations.length;
    const outputs = await runProgram({
      config: { ...readConfig(config({ namespace: 'other', eventsNamespace: 'other-events', installKnative: 'false', installEventing: 'false', installTekton: 'false', installKratix: 'false' })) },
      reader: () => Promise.reject(new Error('must not read manifests')),
    });
    await valueOf(outputs.gatewayUrl);
    await settle([]);
    const added = mocked.registrations.slice(before);
    expect(added.some((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup')).toBe(false);
    expect(mocked.dependencyNames('kubernetes:serving.knative.dev/v1:Service', 'functions-platform/other/gateway').sort())
      .toEqual(['functions-platform/other', 'functions-platform/other/gateway-nginx']);
  });
});

describe('the program refuses before it installs', () => {
  test.each([
    [{ namespace: 'knative-serving' }, 'platform-blueprints:namespace ("knative-serving") is a namespace an install of the program creates (serving-core.yaml declares ' +
      'Namespace knative-serving; installKnative is on): its Namespace would be deployed instead of the platform\'s, without the Pod Security labels and without ' +
      'the protection of the data kept there; choose a namespace of the platform\'s own (not one of knative-serving, kourier-system, cert-manager, rabbitmq-system, knative-eventing, tekton-pipelines, tekton-pipelines-resolvers, kratix-platform-system, flux-system)'],
    [{ namespace: 'fx', eventsNamespace: 'rabbitmq-system' }, /^platform-blueprints:eventsNamespace \("rabbitmq-system"\) is a namespace an install of the program creates \(cluster-operator\.yml declares Namespace rabbitmq-system; installEventing is on\)/],
    [{ profile: 'prod', namespace: 'crossplane-system', installKnative: 'false', installEventing: 'false', installTekton: 'false', installKratix: 'false' },
      /^platform-blueprints:namespace \("crossplane-system"\) is a namespace an install of the program creates \(the Crossplane Helm release declares Namespace crossplane-system; crossplane is on\).*\(not one of crossplane-system\)$/],
    [{ namespace: 'tekton-pipelines', installTekton: 'true' }, 'platform-blueprints:namespace ("tekton-pipelines") is a namespace an install of the program creates (tekton-pipelines-release.yaml ' +
      'declares Namespace tekton-pipelines; installTekton is on)'],
    [{ namespace: 'c', eventsNamespace: 'tekton-pipelines-resolvers', installTekton: 'true' },
      'platform-blueprints:eventsNamespace ("tekton-pipelines-resolvers") is a namespace an install of the program creates (tekton-pipelines-release.yaml declares Namespace ' +
      'tekton-pipelines-resolvers; installTekton is on)'],
    [{ namespace: 'kratix-platform-system', installKratix: 'true' }, /^platform-blueprints:namespace \("kratix-platform-system"\) is a namespace an install of the program creates \(kratix\.yaml declares Namespace kratix-platform-system; installKratix is on\)/],
    [{ namespace: 'fy', eventsNamespace: 'flux-system', installKratix: 'true' }, /^platform-blueprints:eventsNamespace \("flux-system"\) is a namespace an install of the program creates \(gitops-tk-install\.yaml declares Namespace flux-system; installKratix is on\)/],
  ])('a platform namespace an install creates (%j) is refused, naming the setting, the file and the fix; nothing registers', async (values, message) => {
    const registered = jest.spyOn(pulumiRuntimeResource, 'registerResource');
    const running = runProgram({ config: readConfig(config(values)), reader: fixtureReader().read });
    await expect(running).rejects.toThrow(ConfigError);
    await expect(running).rejects.toThrow(message);
    expect(registered).not.toHaveBeenCalled();
    registered.mockRestore();
  });

  test('an install that does not run does not take its namespace', async () => {
    // The cluster runs Knative and the event stack already: those namespaces are not the program's to refuse.
    const outputs = await runProgram({
      config: readConfig(config({ namespace: 'kourier-system', eventsNamespace: 'rabbitmq-system', installKnative: 'false', installEventing: 'false', installTekton: 'false', installKratix: 'false' })),
      reader: () => Promise.reject(new Error('must not read manifests')),
    });
    await valueOf(outputs.gatewayUrl);
    await settle([]);
    expect([outputs.namespace, outputs.eventsNamespace]).toEqual(['kourier-system', 'rabbitmq-system']);
  });

  test('a platform the policy refuses registers nothing, not even the installs', async () => {
    // Counted where resources register (synchronously, in their constructors), not in the mock's asynchronous log.
    const registered = jest.spyOn(pulumiRuntimeResource, 'registerResource');
    let error: unknown;
    try {
      await runProgram({
        config: readConfig(config({ namespace: 'refused', eventsNamespace: 'refused-events', images: JSON.stringify({ hello: 'ghcr.io/me/hello:latest' }) })),
        reader: fixtureReader().read,
      });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(/^<app>: policy refuses 1 object\(s\), as cdk8s synth would:\n\[PB004\] .*refused\/hello/);
    expect(registered).not.toHaveBeenCalled();
    registered.mockRestore();
  });
});
