/**
 * A team building its own platform from the package, through its public entry points only.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as pb from 'platform-blueprints';
import { SchemaValidator } from '../scripts/lib/schema-validator';

describe('platform-blueprints as a library', () => {
  test('GIVEN only the public API WHEN a team composes its own platform THEN it synthesizes valid, wired YAML', () => {
    const app = new App();
    const chart = new Chart(app, 'team-a', { namespace: 'team-a' });
    const cache = new pb.Redis(chart, 'cache', { storage: Size.gibibytes(5), password: pb.PasswordSource.fromSecret('cache-credentials') });
    const orders = new pb.KnativeFunction(chart, 'orders', {
      image: 'ghcr.io/team-a/orders:3.1.0',
      language: pb.Language.of('kotlin'),
      scale: { min: 1, max: 20, metric: pb.ScalingMetric.RPS, target: 150 },
      timeout: Duration.seconds(30),
      readiness: pb.FunctionProbe.http('/ready'),
      env: { LOG_LEVEL: kplus.EnvValue.fromValue('info') },
    });
    cache.bind(orders);
    const edge = new pb.ApiGateway(chart, 'edge');
    edge.route('/orders', orders);

    const objects = app.charts.flatMap((c) => c.toJson());
    expect(SchemaValidator.load().validateAll(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/cache-config', 'StatefulSet/cache', 'Service/cache', 'Service/cache-headless', 'NetworkPolicy/cache-ingress',
      'Service/orders', 'NetworkPolicy/knative-data-plane', 'ConfigMap/edge-nginx', 'Service/edge',
    ]);
    expect(pb.PlatformGraph.of(app).edges.map((e) => e.kind)).toEqual([pb.EdgeKind.BINDS, pb.EdgeKind.ROUTES]);
    expect(pb.KnativeFunction.maxTimeoutSeconds(app)).toBe(3600);
  });

  test('the L1 classes are reachable as namespaces for anything the L2 constructs do not cover', () => {
    const chart = new Chart(new App(), 'raw', { namespace: 'raw' });
    new pb.serving.DomainMapping(chart, 'dm', { metadata: { name: 'shop.example.com' }, spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'shop' } } });
    expect(SchemaValidator.load().validateAll(chart.toJson())).toEqual([]);
  });

  test('a team with bundles of its own runs the Kratix pipeline on its specs through the kratix-pipeline entry point', async () => {
    const { runPipeline, PipelineExitCode } = await import('platform-blueprints/kratix-pipeline');
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    // The entry point Node resolves for a consumer (jest maps the name to the source; the exports map is what ships).
    expect(pkg.exports['./kratix-pipeline']).toEqual({ types: './lib/src/kratix/pipeline.d.ts', default: './lib/src/kratix/pipeline.js' });
    expect(pkg.files).toContain('lib/src/kratix');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-package-kratix-'));
    const spec = new pb.MessageBrokerSpec();
    fs.mkdirSync(path.join(dir, 'input'));
    fs.writeFileSync(path.join(dir, 'input', 'object.yaml'), JSON.stringify({
      apiVersion: `${spec.group}/${spec.version}`, kind: spec.kind, metadata: { name: 'events', namespace: 'team-a' }, spec: spec.example,
    }));
    const lines: string[] = [];
    expect(runPipeline({ specs: [spec], dir, env: {}, log: (l) => lines.push(l) })).toBe(PipelineExitCode.OK);
    expect(fs.readdirSync(path.join(dir, 'output'))).toEqual(['events.k8s.yaml']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the Pulumi entry point exports the bridge, the installs and the component that deploys an app with them', async () => {
    const api = await import('platform-blueprints/pulumi');
    expect(Object.keys(api)).toEqual(expect.arrayContaining(['Cdk8sDeployment', 'planDeployment', 'KnativeServing', 'prepareKnativeServing', 'KnativeEventing', 'CrossplaneInstall',
      'PlatformDeployment', 'PlatformReleases', 'ReleaseFileError', 'ConfigError']));
  });

  test('the testing entry point ships with its release fixtures', async () => {
    const testing = await import('platform-blueprints/testing');
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(Object.keys(testing)).toEqual(expect.arrayContaining(['runUnderMocks', 'MockedPulumi', 'fixtureReleaseReader', 'releaseFixturesDir']));
    expect(pkg.exports['./testing']).toEqual({ types: './lib/src/testing/index.d.ts', default: './lib/src/testing/index.js' });
    expect(pkg.typesVersions['*'].testing).toEqual(['lib/src/testing/index.d.ts']);
    expect(pkg.files).toEqual(expect.arrayContaining(['lib/src/testing', 'fixtures/releases', 'lib/src/pulumi/platform-deployment.*']));
  });
});
