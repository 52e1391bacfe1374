/**
 * Tekton Pipelines + Triggers installed by Pulumi under mocks, from the release-file fixtures of
 * test/fixtures/tekton-release (the pinned CRDs of ../shared/crds put in).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as pulumi from '@pulumi/pulumi';
import { mockPulumi, retainedOnDelete, settle } from '../support/pulumi';
import { fixtureReader, tektonReleaseText } from '../support/knative-release';

const mocked = mockPulumi();
import { ClusterInstall, DeploymentPlan, ValidationError } from '../../constructs';
import { PINNED_RELEASES } from '../../constructs/imports/versions';
import { Cdk8sDeployment } from '../../src/pulumi/bridge';
import { DeclaredObjects } from '../../src/pulumi/declared-objects';
import { ReleaseFileError, localFileName, manifestReader } from '../../src/pulumi/release-files';
import { readManifests } from '../../src/pulumi/release-install';
import { TEKTON_STAGES, TektonInstall, prepareTekton, tektonEventsSink, tektonManifestUrls } from '../../src/pulumi/tekton';

const warned: string[] = [];
jest.spyOn(pulumi.log, 'warn').mockImplementation(async (message: string) => {
  warned.push(message);
});

const BROKER_URL = 'http://game-broker-ingress.events.svc.cluster.local';
const broker = { address: BROKER_URL } as any;
const reader = fixtureReader();
const install = new TektonInstall('tekton', { reader: reader.read, eventsBroker: broker });
const installed = settle(Object.values(install.stages));
const objs = (stage: string) => mocked.get('kubernetes:yaml/v2:ConfigGroup', `tekton-${stage}`).inputs.objs as any[];
const find = (objects: any[], kind: string, namespace: string | undefined, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
const manifests = () => readManifests(tektonManifestUrls(), fixtureReader().read);

describe('the Tekton release files', () => {
  test('are the pinned ones: Pipelines\' release.yaml, Triggers\' release.yaml and interceptors.yaml on infra.tekton.dev', () => {
    expect(tektonManifestUrls()).toEqual({
      pipelines: 'https://infra.tekton.dev/tekton-releases/pipeline/previous/v1.15.0/release.yaml',
      triggers: 'https://infra.tekton.dev/tekton-releases/triggers/previous/v0.37.0/release.yaml',
      interceptors: 'https://infra.tekton.dev/tekton-releases/triggers/previous/v0.37.0/interceptors.yaml',
    });
    expect(tektonManifestUrls()).toEqual({
      pipelines: PINNED_RELEASES['tekton-pipelines'].artifacts.release,
      triggers: PINNED_RELEASES['tekton-triggers'].artifacts.release,
      interceptors: PINNED_RELEASES['tekton-triggers'].artifacts.interceptors,
    });
    expect([ClusterInstall.TEKTON_PIPELINES.version, ClusterInstall.TEKTON_TRIGGERS.version]).toEqual(['1.15.0', '0.37.0']);
  });

  test('are not pinned, so they are refused unless unpinned files are allowed (trusted on first use, with a warning)', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-tekton-'));
    try {
      const url = tektonManifestUrls().pipelines;
      const download = async (u: string) => Buffer.from(tektonReleaseText(u)!);
      await expect(manifestReader(undefined, { cacheDir, download })(url)).rejects.toThrow(new ReleaseFileError(`${url}: refused, its bytes cannot be checked ` +
        '(upstream.yaml does not pin tekton-pipelines@1.15.0 yet: the release file could not be fetched where the pins were computed (infra.tekton.dev not ' +
        'reachable); run `npm run releases:pin` where it can be). Pin it (npm run releases:pin, or the extraPins option), or trust its first download (its ' +
        'sha256 recorded, later reads checked against it) with `pulumi config set platform-blueprints:allowUnpinnedReleases true` (the allowUnpinned option)'));
      const warnings: string[] = [];
      const text = await manifestReader(undefined, { cacheDir, download, allowUnpinned: true, warn: (m) => warnings.push(m) })(url);
      expect(text).toContain('name: tekton-pipelines');
      expect(warnings).toEqual([expect.stringContaining(`${url}: not pinned (allowUnpinnedReleases); downloaded and trusted on first use`)]);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  test('Pipelines\' and Triggers\' files are both called release.yaml: in a local release folder they are told apart by their release\'s name', async () => {
    expect(Object.values(tektonManifestUrls()).map(localFileName)).toEqual(['tekton-pipelines-release.yaml', 'tekton-triggers-release.yaml', 'interceptors.yaml']);
    expect(localFileName('https://github.com/knative/serving/releases/download/knative-v1.22.1/serving-core.yaml')).toBe('serving-core.yaml');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-tekton-dir-'));
    try {
      for (const url of Object.values(tektonManifestUrls())) fs.writeFileSync(path.join(dir, localFileName(url)), tektonReleaseText(url)!);
      const read = manifestReader(dir, { allowUnpinned: true, warn: () => undefined });
      const local = await readManifests(tektonManifestUrls(), read);
      expect(find(local.pipelines, 'Deployment', 'tekton-pipelines', 'tekton-pipelines-controller')).toBeDefined();
      expect(find(local.triggers, 'Deployment', 'tekton-pipelines', 'tekton-triggers-controller')).toBeDefined();
      fs.rmSync(path.join(dir, 'tekton-triggers-release.yaml'));
      await expect(read(tektonManifestUrls().triggers)).rejects.toThrow(`${path.join(dir, 'tekton-triggers-release.yaml')} not found`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hold the pinned CRDs: 8 of Pipelines (tekton.dev, resolution.tekton.dev), 7 of Triggers', async () => {
    const m = await manifests();
    const crds = (stage: string) => m[stage].filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort();
    expect(crds('pipelines')).toEqual(['customruns.tekton.dev', 'pipelineruns.tekton.dev', 'pipelines.tekton.dev', 'resolutionrequests.resolution.tekton.dev',
      'stepactions.tekton.dev', 'taskruns.tekton.dev', 'tasks.tekton.dev', 'verificationpolicies.tekton.dev']);
    expect(crds('triggers')).toEqual(['clusterinterceptors.triggers.tekton.dev', 'clustertriggerbindings.triggers.tekton.dev', 'eventlisteners.triggers.tekton.dev',
      'interceptors.triggers.tekton.dev', 'triggerbindings.triggers.tekton.dev', 'triggers.triggers.tekton.dev', 'triggertemplates.triggers.tekton.dev']);
    expect(crds('interceptors')).toEqual([]);
  });
});

describe('install order', () => {
  test('Pipelines, then Triggers (its objects live in Pipelines\' namespace), then the core interceptors (ClusterInterceptors need Triggers\' CRD)', async () => {
    await installed;
    const deps = (stage: string) => mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', `tekton-${stage}`).sort();
    expect(Object.fromEntries(TEKTON_STAGES.map((s) => [s.name, deps(s.name)]))).toEqual({
      pipelines: [], triggers: ['tekton-pipelines'], interceptors: ['tekton-triggers'],
    });
    const why = Object.fromEntries(install.declared.waits.map((w) => [`${w.from} → ${w.to}`, w.reasons]));
    expect(why).toEqual({
      'tekton-triggers → tekton-pipelines': ['declared after it'],
      'tekton-interceptors → tekton-triggers': ['declared after it', 'uses CustomResourceDefinition clusterinterceptors.triggers.tekton.dev'],
    });
    expect(install.installs).toEqual({ 'tekton-pipelines': [install.stages.pipelines], 'tekton-triggers': [install.stages.triggers, install.stages.interceptors] });
  });

  test('the platform\'s tekton.dev objects wait for Pipelines, its triggers.tekton.dev objects for Triggers and the core interceptors (derived from the plan)', async () => {
    await installed;
    await install.declared.settled();
    const app = new App();
    const chart = new Chart(app, 'ci', { namespace: 'ci' });
    new ApiObject(chart, 'task', { apiVersion: 'tekton.dev/v1', kind: 'Task', metadata: { name: 'load-test' }, spec: { steps: [] } });
    new ApiObject(chart, 'listener', { apiVersion: 'triggers.tekton.dev/v1beta1', kind: 'EventListener', metadata: { name: 'deployed' }, spec: { triggers: [] } });
    const plan = DeploymentPlan.of(app);
    expect(plan.installs.map((i) => i.id)).toEqual(['tekton-pipelines', 'tekton-triggers']);
    const deployment = new Cdk8sDeployment('ci', { root: app, plan, enforcePolicy: false, installs: install.installs, declared: install.declared });
    await settle(Object.values(deployment.resources));
    const names = (type: string) => {
      const [registration, ...more] = mocked.registrations.filter((r) => r.type === type);
      expect(more).toEqual([]);
      return registration.dependencies.map((urn) => urn.split('::').pop()).sort();
    };
    expect(names('kubernetes:tekton.dev/v1:Task')).toEqual(['tekton-pipelines']);
    expect(names('kubernetes:triggers.tekton.dev/v1beta1:EventListener')).toEqual(['tekton-interceptors', 'tekton-triggers']);
  });
});

describe('every object declared once', () => {
  test('Namespace tekton-pipelines is declared by Pipelines\' release only: Triggers\' files hold none (since Triggers v0.2), and no object is in two stages', async () => {
    await installed;
    const all = TEKTON_STAGES.flatMap((s) => objs(s.name).map((o) => ({ stage: s.name, id: `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}` })));
    expect(all.filter((o) => o.id === 'v1 Namespace /tekton-pipelines')).toEqual([{ stage: 'pipelines', id: 'v1 Namespace /tekton-pipelines' }]);
    expect(new Set(all.map((o) => o.id)).size).toBe(all.length);
    expect(install.declared.dropped).toEqual([]);
    expect(install.declared.holderOf('v1', 'Namespace', undefined, 'tekton-pipelines')).toBe('tekton-pipelines');
    // Triggers' and the interceptors' namespaced objects all live in Pipelines' namespace.
    const triggersNamespaces = [...objs('triggers'), ...objs('interceptors')].map((o) => o.metadata.namespace).filter((n) => n !== undefined);
    expect([...new Set(triggersNamespaces)]).toEqual(['tekton-pipelines']);
  });

  test('a Triggers file that did declare the Namespace (as releases before v0.2 did) would be dropped by the ledger, Triggers waiting for Pipelines\' copy', async () => {
    const m = await manifests();
    const namespace = find(m.pipelines, 'Namespace', undefined, 'tekton-pipelines');
    const declared = new DeclaredObjects();
    const twice = new TektonInstall('twice', { manifests: { ...m, triggers: [namespace, ...m.triggers] }, declared });
    await settle(Object.values(twice.stages));
    expect(declared.dropped).toEqual([{ object: 'Namespace tekton-pipelines', droppedFrom: 'twice-triggers', keptBy: 'twice-pipelines', identical: true, differences: [] }]);
    expect((mocked.get('kubernetes:yaml/v2:ConfigGroup', 'twice-triggers').inputs.objs as any[]).filter((o) => o.kind === 'Namespace')).toEqual([]);
  });

  test('the platform cannot declare Namespace tekton-pipelines too: its copy would not be the one deployed (ValidationError)', async () => {
    await install.declared.settled();
    const app = new App();
    const chart = new Chart(app, 'mine');
    new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tekton-pipelines', labels: { team: 'ci' } } });
    expect(() => new Cdk8sDeployment('mine', { root: app, enforcePolicy: false, declared: install.declared })).toThrow(ValidationError);
    expect(() => new Cdk8sDeployment('mine2', { root: app, enforcePolicy: false, declared: install.declared }))
      .toThrow(/metadata\.name \("tekton-pipelines"\) is v1 Namespace tekton-pipelines, which tekton-pipelines declares too/);
  });
});

describe('settings', () => {
  test('the events sink: config-events gets the broker\'s address and formats tektonv1; nothing else of it changes', async () => {
    await installed;
    const raw = find((await manifests()).pipelines, 'ConfigMap', 'tekton-pipelines', 'config-events');
    const events = find(objs('pipelines'), 'ConfigMap', 'tekton-pipelines', 'config-events');
    expect(events.data).toEqual({ ...raw.data, sink: BROKER_URL, formats: 'tektonv1' });
    expect({ ...events, data: raw.data }).toEqual(raw);
    expect(install.eventsSink).toBe(BROKER_URL);
  });

  test('feature-flags: set-security-context on (the injected containers must pass Pod Security restricted); every other flag keeps Tekton\'s default', async () => {
    await installed;
    const raw = find((await manifests()).pipelines, 'ConfigMap', 'tekton-pipelines', 'feature-flags');
    const flags = find(objs('pipelines'), 'ConfigMap', 'tekton-pipelines', 'feature-flags');
    expect(raw.data['set-security-context']).toBe('false');
    expect(raw.data['set-security-context-read-only-root-filesystem']).toBe('false');
    expect(flags.data).toEqual({ ...raw.data, 'set-security-context': 'true' });
  });

  test('no sink: config-events as released (Tekton sends no events); options for the flags', async () => {
    const m = await manifests();
    const p = prepareTekton(structuredClone(m), { setSecurityContext: false, readOnlyRootFilesystem: false });
    expect(find(p.pipelines, 'ConfigMap', 'tekton-pipelines', 'config-events')).toEqual(find(m.pipelines, 'ConfigMap', 'tekton-pipelines', 'config-events'));
    expect(find(p.pipelines, 'ConfigMap', 'tekton-pipelines', 'feature-flags').data['set-security-context']).toBe('false');
    const ro = prepareTekton(structuredClone(m), { readOnlyRootFilesystem: true, eventsSink: 'https://sink.example.com/events' });
    expect(find(ro.pipelines, 'ConfigMap', 'tekton-pipelines', 'feature-flags').data).toMatchObject({
      'set-security-context': 'true', 'set-security-context-read-only-root-filesystem': 'true',
    });
    expect(find(ro.pipelines, 'ConfigMap', 'tekton-pipelines', 'config-events').data).toMatchObject({ sink: 'https://sink.example.com/events', formats: 'tektonv1' });
    expect(() => prepareTekton(m, { readOnlyRootFilesystem: true, setSecurityContext: false })).toThrow('readOnlyRootFilesystem needs setSecurityContext');
  });

  test('one sink per cluster: a sink and a broker are refused, and so is a sink that is not an absolute http(s) URL', () => {
    expect(() => tektonEventsSink({ eventsSink: 'http://a.example', eventsBroker: broker }))
      .toThrow(`eventsSink (http://a.example) and eventsBroker (${BROKER_URL}) both set Tekton's one events sink; give one of them`);
    for (const bad of ['broker-ingress.events.svc', 'ftp://x.example/', '/events']) {
      expect(() => tektonEventsSink({ eventsSink: bad })).toThrow(`Tekton's events sink (${JSON.stringify(bad)}) is not an absolute http(s) URL`);
    }
    expect(() => new TektonInstall('bad-sink', { eventsSink: 'nope', manifests: {} })).toThrow('is not an absolute http(s) URL');
    expect(tektonEventsSink({})).toBeUndefined();
  });

  test('files that are not the Tekton release files are refused, naming what they lack', async () => {
    const m = await manifests();
    expect(() => prepareTekton({ ...m, interceptors: m.interceptors.filter((o) => o.metadata.name !== 'cel') }))
      .toThrow('the Tekton release files lack ClusterInterceptor cel (interceptors); are these Pipelines\' release.yaml and Triggers\' release.yaml and interceptors.yaml?');
    expect(() => prepareTekton({ pipelines: m.triggers, triggers: m.pipelines, interceptors: m.interceptors }))
      .toThrow(/lack Namespace tekton-pipelines \(pipelines\), ConfigMap tekton-pipelines\/config-events \(pipelines\), .*Deployment tekton-pipelines\/tekton-triggers-controller \(triggers\)/);
  });
});

describe('webhooks and teardown', () => {
  test('Tekton\'s webhooks write their own CA and rules (knative.dev/pkg), as Knative\'s do: released without caBundle, and nothing waits for one', async () => {
    await installed;
    const hooks = TEKTON_STAGES.flatMap((s) => objs(s.name)).filter((o) => /WebhookConfiguration$/.test(o.kind));
    expect(hooks.map((o) => `${o.kind} ${o.metadata.name}`).sort()).toEqual([
      'MutatingWebhookConfiguration webhook.pipeline.tekton.dev', 'MutatingWebhookConfiguration webhook.triggers.tekton.dev',
      'ValidatingWebhookConfiguration config.webhook.pipeline.tekton.dev', 'ValidatingWebhookConfiguration config.webhook.triggers.tekton.dev',
      'ValidatingWebhookConfiguration validation.webhook.pipeline.tekton.dev', 'ValidatingWebhookConfiguration validation.webhook.triggers.tekton.dev',
    ]);
    for (const h of hooks) expect(h.webhooks.every((w: any) => w.clientConfig.caBundle === undefined && w.clientConfig.service.namespace === 'tekton-pipelines')).toBe(true);
    const waited = TEKTON_STAGES.flatMap((s) => objs(s.name)).filter((o) => o.metadata.annotations?.['pulumi.com/waitFor']);
    expect(waited).toEqual([]);
  });

  test('every CRD of every stage is retained on delete (deleting one deletes every Task, Pipeline or EventListener); no other object is', async () => {
    await installed;
    const retained = await retainedOnDelete(mocked, TEKTON_STAGES.map((s) => `tekton-${s.name}`));
    expect(retained).toHaveLength(15);
    expect(retained).toEqual(expect.arrayContaining(['tekton-pipelines:tasks.tekton.dev', 'tekton-triggers:eventlisteners.triggers.tekton.dev']));
  });

  test('every file was read as an unpinned file, with a warning giving its sha256', async () => {
    await installed;
    expect(reader.urls).toEqual(Object.values(tektonManifestUrls()));
    expect(reader.warnings).toHaveLength(3);
    for (const w of reader.warnings) expect(w).toMatch(/^https:\/\/infra\.tekton\.dev\/.*: not pinned \(allowUnpinnedReleases\); .* sha256 [0-9a-f]{64}/);
  });
});
