/**
 * PlatformDeployment, as a consumer uses it: any cdk8s app, its installs derived from its plan, run under the
 * package's testing entry (mocks, shipped release fixtures, recorded registrations).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as pulumi from '@pulumi/pulumi';
import * as pulumiRuntimeResource from '@pulumi/pulumi/runtime/resource';
import { Broker, BrokerClass, ChannelBroker, DeploymentPlan, EventDrivenPlatform, FunctionsPlatform, IKeyValueStore, ValidationError } from '../../constructs';
import { PlatformDeployment, PlatformDeploymentArgs, PlatformReleases } from '../../src/pulumi/platform-deployment';
import { ConfigError } from '../../src/pulumi/config-error';
import { ReleaseFileError } from '../../src/pulumi/release-files';
import { MockedPulumi, runUnderMocks } from '../../src/testing';
import { REPO_ROOT } from '../../scripts/lib/upstream';
import { fixtureReader } from '../support/knative-release';

const SERVING_CRDS = 'https://github.com/knative/serving/releases/download/knative-v1.22.1/serving-crds.yaml';

/** A team's app as the README writes it: one function, the in-cluster store, the managed gateway. */
function teamApp(namespace = 'games') {
  const app = new App();
  const chart = new Chart(app, 'team', { disableResourceNameHashes: true });
  const platform = new FunctionsPlatform(chart, 'Platform', { namespace, functions: [{ name: 'score', image: 'ghcr.io/org/score:1.4.2' }] });
  return { app, platform };
}

const groups = (mocked: { registrations: Array<{ type: string; name: string }> }) =>
  mocked.registrations.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup').map((r) => r.name);

/** Runs `create` under mocks without the runner, counting registrations where they start (synchronously). */
async function refusal(args: PlatformDeploymentArgs): Promise<{ error: unknown; registered: number }> {
  MockedPulumi.start({ releaseFixtures: false });
  const registered = jest.spyOn(pulumiRuntimeResource, 'registerResource');
  try {
    await PlatformDeployment.create('fx', args);
    return { error: undefined, registered: registered.mock.calls.length };
  } catch (error) {
    return { error, registered: registered.mock.calls.length };
  } finally {
    registered.mockRestore();
  }
}

describe('PlatformDeployment', () => {
  test('derives the installs from the plan: a functions platform without events installs Knative Serving (+ kourier) only, and its objects wait for it', async () => {
    const { app, platform } = teamApp();
    const run = await runUnderMocks(async () => {
      const deployment = await PlatformDeployment.create('fx', { app, knativeDomain: 'fx.example.com', ingressServiceType: 'NodePort' });
      return { url: deployment.urlOf(platform.gateway.service), secret: deployment.secretNameOf(platform.redis!) };
    });
    expect(groups(run.mocked)).toEqual(['knative-serving-crds', 'knative-serving-core', 'knative-serving-kourier']);
    // Every object of the plan, under the component's name; the Knative Services after the whole install.
    const plan = DeploymentPlan.of(app);
    const objects = run.mocked.childrenOf('platform-blueprints:index:Cdk8sDeployment', 'fx').filter((r) => r.type.startsWith('kubernetes:'));
    expect(objects.map((r) => r.name).sort()).toEqual(plan.objects.map((o) => `fx/${o.name}`).sort());
    for (const name of ['fx/games/score', 'fx/games/gateway']) {
      expect(run.mocked.dependencyNames('kubernetes:serving.knative.dev/v1:Service', name))
        .toEqual(expect.arrayContaining(['knative-serving-crds', 'knative-serving-core', 'knative-serving-kourier', 'fx/games']));
    }
    // The request-timeout ceiling follows the app's longest timeout.
    const core = run.mocked.get('kubernetes:yaml/v2:ConfigGroup', 'knative-serving-core').inputs.objs;
    expect(core.find((o: any) => o.metadata.name === 'config-defaults').data['max-revision-timeout-seconds']).toBe(String(Math.max(600, plan.maxRequestTimeoutSeconds ?? 0)));
    expect(run.mocked.get('kubernetes:yaml/v2:ConfigGroup', 'knative-serving-kourier').inputs.objs
      .find((o: any) => o.kind === 'Service' && o.metadata.name === 'kourier').spec.type).toBe('NodePort');
    // Typed outputs: the URL Knative reports on the configured domain, the Secret holding the store's password.
    expect(run.outputs).toEqual({ url: 'http://gateway.games.fx.example.com', secret: 'redis-auth' });
    // The generated password goes to the engine as a secret, and only in the Secret.
    expect(run.mocked.get('kubernetes:core/v1:Secret', 'fx/games/redis-auth').secretInputs).toEqual(['stringData']);
    const password = run.mocked.get('random:index/randomPassword:RandomPassword', 'fx/games/redis-auth/password');
    expect(run.registrations.filter((r) => r !== password && JSON.stringify(r.inputs).includes('mock-password')).map((r) => r.name)).toEqual(['fx/games/redis-auth']);
    expect(run.mocked.get('kubernetes:apps/v1:StatefulSet', 'fx/games/redis')).toMatchObject({ protect: true, retainOnDelete: true });
  });

  test('an install set to false is the cluster\'s: nothing of it is read or registered, the objects do not wait for it', async () => {
    const { app } = teamApp();
    const reader = fixtureReader();
    const run = await runUnderMocks(() => PlatformDeployment.create('fx', { app, installKnative: false, releaseReader: reader }));
    expect(reader.urls).toEqual([]);
    expect(groups(run.mocked)).toEqual([]);
    expect(run.mocked.dependencyNames('kubernetes:serving.knative.dev/v1:Service', 'fx/games/score').sort()).toEqual(['fx/games', 'fx/games/redis-auth']);
  });

  test('a platform of RabbitMQ brokers gets the event stack without the channel-based broker; asking for the whole stack adds it', async () => {
    const { app } = teamApp();
    new EventDrivenPlatform(app.charts[0], 'Events', { namespace: 'games-events' });
    const auto = await PlatformReleases.read({ app, installKnative: false, releaseReader: fixtureReader() });
    expect(auto.installIds).toEqual(expect.arrayContaining(['knative-eventing', 'eventing-rabbitmq']));
    expect(auto.installIds).not.toContain('channel-broker');
    const run = await runUnderMocks(() => PlatformDeployment.create('fx', { app, installKnative: false, releaseReader: fixtureReader() }));
    expect(groups(run.mocked).filter((g) => /channel/.test(g))).toEqual([]);
    const all = await PlatformReleases.read({ app, installKnative: false, installEventing: true, releaseReader: fixtureReader() });
    expect(all.installIds).toContain('channel-broker');
  });

  test('the channel-based broker comes with the event stack: its Broker waits for the channel stages, and no install is left to the cluster', async () => {
    const { app } = teamApp();
    new ChannelBroker(app.charts[0], 'Broker', { name: 'game', namespace: 'games' });
    const releases = await PlatformReleases.read({ app, installKnative: false, releaseReader: fixtureReader() });
    expect(releases.installIds).toContain('channel-broker');
    expect(releases.notInstallable).toEqual([]);
    const run = await runUnderMocks(() => PlatformDeployment.create('fx', { app, installKnative: false, releaseReader: fixtureReader() }));
    expect(run.warnings.filter((w) => /does not install/.test(w))).toEqual([]);
    expect(run.mocked.dependencyNames('kubernetes:eventing.knative.dev/v1:Broker', 'fx/games/game')).toEqual(expect.arrayContaining(['event-stack-mt-channel-broker', 'event-stack-in-memory-channel']));
  });

  test('PlatformReleases names the installs and the namespaces they create', async () => {
    const { app } = teamApp();
    const releases = await PlatformReleases.read({ app, releaseReader: fixtureReader() });
    expect(releases.installIds).toEqual(['knative-serving', 'net-kourier']);
    expect([...new Set(releases.installNamespaces.map((n) => `${n.namespace} (${n.declaredBy})`))]).toEqual(['knative-serving (serving-core.yaml)', 'kourier-system (kourier.yaml)']);
  });
});

describe('PlatformDeployment refuses before anything registers', () => {
  test.each([
    ['a reader that returns no Kubernetes objects (a stub)', async () => '# nothing here\n',
      `the release files are not what the installs expect: ${SERVING_CRDS}: no Kubernetes objects`],
    ['a reader that fails', async () => {
      throw new Error('ECONNRESET');
    }, `${SERVING_CRDS}: could not be read: ECONNRESET`],
    ['a reader that returns nothing', async () => undefined as unknown as string, `${SERVING_CRDS}: the release reader returned nothing, not the file's text`],
    ['files that are not the release files', async (url: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\n# ${url}\n`,
      'the release files are not what the installs expect: the Knative manifests lack knative-serving/config-network, knative-serving/config-defaults, knative-serving/activator, knative-serving/config-kourier; are these the serving-core and kourier release files?'],
  ])('%s: a ReleaseFileError naming the file (a Pulumi RunError: no stack trace in `pulumi up`)', async (_, read, message) => {
    const { error, registered } = await refusal({ app: teamApp().app, releaseReader: { read } });
    expect(error).toBeInstanceOf(ReleaseFileError);
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(message);
    expect(registered).toBe(0);
  });

  test('unpinned release files without allowUnpinnedReleases: refused by the default reader before any download', async () => {
    const { error, registered } = await refusal({ app: teamApp().app, installKnative: false, installEventing: true, releasesDir: '/nonexistent' });
    expect(error).toBeInstanceOf(ReleaseFileError);
    expect((error as Error).message).toMatch(/^https:\/\/github\.com\/cert-manager\/cert-manager\/releases\/download\/v1\.18\.2\/cert-manager\.yaml: refused, its bytes cannot be checked/);
    expect(registered).toBe(0);
  });

  test('an app Namespace an install creates is refused on its construct, naming the file and the fix', async () => {
    const { error, registered } = await refusal({ app: teamApp('kourier-system').app, releaseReader: fixtureReader() });
    expect(error).toBeInstanceOf(ValidationError);
    // Marked a Pulumi RunError: `pulumi up` prints the message without a stack trace.
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('team/Platform/Namespace: metadata.name ("kourier-system") is a Namespace an install of the deployment creates (kourier.yaml declares it; ' +
      'installKnative is on): its copy would be deployed instead of the app\'s, without the Pod Security labels and without the protection of the data kept there; ' +
      'choose a namespace of the app\'s own (not one of knative-serving, kourier-system), or set installKnative to false if the cluster runs it');
    expect(registered).toBe(0);
  });

  test('the platform policy, as cdk8s synth runs it', async () => {
    const app = new App();
    const chart = new Chart(app, 'team', { disableResourceNameHashes: true });
    new FunctionsPlatform(chart, 'Platform', { namespace: 'games', functions: [{ name: 'score', image: 'ghcr.io/org/score:latest' }] });
    const { error, registered } = await refusal({ app, releaseReader: fixtureReader() });
    expect((error as Error).message).toMatch(/^<app>: policy refuses 1 object\(s\), as cdk8s synth would:\n\[PB004\]/);
    expect([error instanceof ValidationError, pulumi.RunError.isInstance(error)]).toEqual([true, true]);
    expect(registered).toBe(0);
  });

  test('settings: one Tekton events sink, a known ingress Service type', async () => {
    const app = teamApp().app;
    const broker = Broker.fromBrokerAttributes(new Chart(new App(), 'events'), 'Broker', { name: 'game', namespace: 'events', brokerClass: BrokerClass.RABBITMQ });
    const both = await refusal({ app, installKnative: false, installEventing: false, installTekton: true, tektonEventsSink: 'http://x.example/', tektonEventsBroker: broker });
    expect((both.error as Error).message).toBe('tektonEventsSink (http://x.example/) and tektonEventsBroker (http://game-broker-ingress.events.svc.cluster.local) both set Tekton\'s one events sink; give one of them');
    expect(both.registered).toBe(0);
    const url = await refusal({ app, installKnative: false, installEventing: false, installTekton: true, tektonEventsSink: 'broker-ingress.knative-eventing.svc' });
    expect(url.error).toBeInstanceOf(ConfigError);
    expect((url.error as Error).message).toBe('tektonEventsSink: Tekton\'s events sink ("broker-ingress.knative-eventing.svc") is not an absolute http(s) URL; give the address events are posted to, ' +
      'e.g. a broker\'s http://broker-ingress.knative-eventing.svc.cluster.local/<namespace>/<broker>');
    const type = await refusal({ app: teamApp().app, releaseReader: { read: () => Promise.reject(new Error('must not read')) }, ingressServiceType: 'Ingress' });
    expect((type.error as Error).message).toBe('ingressServiceType ("Ingress") must be one of LoadBalancer, NodePort, ClusterIP');
    expect(type.registered).toBe(0);
  });
});

describe('typed outputs refuse what the deployment does not deploy', () => {
  let deployment: PlatformDeployment;
  beforeAll(async () => {
    const { app } = teamApp();
    await runUnderMocks(async () => {
      deployment = await PlatformDeployment.create('fx', { app, installKnative: false });
    });
  });

  test('urlOf: a function of another app', () => {
    const other = teamApp('other').platform.functions[0];
    expect(() => deployment.urlOf(other)).toThrow(new ValidationError(other, 'workload',
      '("Service other/score") is not a Knative Service this deployment deploys: there is no URL of it to report; pass a KnativeFunction (or a gateway\'s service) of the deployed app; ' +
      'for anything else use its in-cluster url (http://score.other.svc.cluster.local)'));
  });

  test('addressOf: an imported broker', () => {
    const imported = Broker.fromBrokerAttributes(new Chart(new App(), 'x'), 'Imported', { name: 'game', namespace: 'events', brokerClass: BrokerClass.RABBITMQ });
    expect(() => deployment.addressOf(imported)).toThrow(/^x\/Imported: broker \("Broker events\/game"\) is not a Broker this deployment deploys \(imported, or of another app\)/);
  });

  test('secretNameOf: a store without a credentials Secret', () => {
    class NoSecretStore extends Construct implements IKeyValueStore {
      public bind(): void {}
    }
    const store = new NoSecretStore(new Chart(new App(), 'y'), 'Store');
    expect(() => deployment.secretNameOf(store)).toThrow('y/Store: store ("y/Store") names no credentials Secret (neither a Redis password Secret nor a claim\'s connection Secret); ' +
      'pass a Redis or a key/value store claim of the app');
  });
});

describe('platform-blueprints/testing surfaces errors', () => {
  // Pulumi reports a failed registration as an unhandled rejection (its SDK rethrows it so that `pulumi up` logs it).
  // Under jest, jest catches those itself; so the runner's own catch is tested in plain node, as a user's script runs it.
  test('in plain node, a rejection a component leaves unhandled (it reads after its constructor returned) rejects the run, naming the file; the process is not killed by it', () => {
    const script = [
      "const { runUnderMocks } = require('./src/testing');",
      "const { KnativeServing } = require('./src/pulumi/knative-serving');",
      "runUnderMocks(() => { new KnativeServing('direct', { reader: async () => '' }); })",
      "  .then(() => { console.log('resolved'); process.exitCode = 3; }, (e) => console.log('rejected: ' + e.message));",
    ].join('\n');
    const run = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    // Printed by the script's own handler, after the run: the process was not killed by the rejection. (It then exits
    // non-zero: Pulumi's leak check counts the failed stages' promises, as it would fail `pulumi up`.)
    expect(run.stdout.trim()).toBe(`rejected: ${SERVING_CRDS}: no Kubernetes objects`);
  });
});
