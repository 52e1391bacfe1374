/**
 * Kratix with its single-cluster setup installed by Pulumi under mocks, from the fixtures of
 * test/fixtures/kratix-release (kratix.yaml with the pinned CRDs of ../shared/crds put in; the single-cluster files
 * as pinned, Flux's trimmed).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as pulumi from '@pulumi/pulumi';
import { mockPulumi, retainedOnDelete, settle } from '../support/pulumi';
import { fixtureReader } from '../support/knative-release';
import { KRATIX_FLUX_URL, KRATIX_RELEASE_URL, kratixReleaseText } from '../support/kratix-release';

const mocked = mockPulumi();
import { parse } from 'yaml';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { REPO_ROOT } from '../../scripts/lib/upstream';
import { ClusterInstall, DeploymentPlan } from '../../constructs';
import { PINNED_RELEASES } from '../../constructs/imports/versions';
import { Cdk8sDeployment } from '../../src/pulumi/bridge';
import { DeclaredObjects } from '../../src/pulumi/declared-objects';
import { KnativeEventing } from '../../src/pulumi/knative-eventing';
import { KRATIX_DESTINATION, KRATIX_NAMESPACE, KRATIX_STAGES, KratixInstall, kratixManifestUrls, prepareKratix } from '../../src/pulumi/kratix';
import { ReleaseFileError, localFileName, manifestReader } from '../../src/pulumi/release-files';
import { readManifests } from '../../src/pulumi/release-install';

jest.spyOn(pulumi.log, 'warn').mockImplementation(async () => undefined);

const reader = fixtureReader();
const install = new KratixInstall('kratix', { reader: reader.read });
const installed = settle(Object.values(install.stages));
const objs = (stage: string) => mocked.get('kubernetes:yaml/v2:ConfigGroup', `kratix-${stage}`).inputs.objs as any[];
const find = (objects: any[], kind: string, namespace: string | undefined, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
const manifests = () => readManifests(kratixManifestUrls(), fixtureReader().read);
const COMMIT = 'https://raw.githubusercontent.com/syntasso/kratix/ae170e22e974e45bb7cfda00986057e01b3ccfde';

/** The pinned Kratix CRDs (the validator's own location holds them once upstream.yaml lists the package). */
function kratixValidator(): SchemaValidator {
  const dir = path.resolve(process.env.PLATFORM_BLUEPRINTS_SCHEMAS ?? path.join(REPO_ROOT, '..', 'shared', 'crds'), 'kratix', 'main-ae170e22');
  const crds = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  expect(crds).toHaveLength(11);
  return SchemaValidator.load().withCustomResourceDefinitions(crds, 'kratix main-ae170e22');
}

describe('the Kratix files', () => {
  test('kratix.yaml of the release tag latest (= ae170e22, the commit of the CRDs), and Kratix\'s single-cluster files at that commit', () => {
    expect(kratixManifestUrls()).toEqual({
      'cert-manager': 'https://github.com/cert-manager/cert-manager/releases/download/v1.18.2/cert-manager.yaml',
      'kratix': KRATIX_RELEASE_URL,
      'flux': `${COMMIT}/hack/destination/gitops-tk-install.yaml`,
      'minio': `${COMMIT}/config/samples/minio-install.yaml`,
      'state-store': `${COMMIT}/config/samples/platform_v1alpha1_bucketstatestore.yaml`,
      'destination': `${COMMIT}/config/samples/platform_v1alpha1_worker.yaml`,
      'gitops': `${COMMIT}/hack/destination/gitops-tk-resources-single-cluster.yaml`,
    });
    expect(ClusterInstall.KRATIX.version).toBe('main-ae170e22');
    expect(ClusterInstall.KRATIX.after).toEqual([ClusterInstall.CERT_MANAGER]);
    expect(ClusterInstall.serving('platform.kratix.io/v1alpha1', 'Promise')).toBe(ClusterInstall.KRATIX);
    expect(ClusterInstall.closure([ClusterInstall.KRATIX]).map((i) => i.id)).toEqual(['cert-manager', 'kratix']);
    // The single-cluster files are at a commit (immutable): each is pinned; kratix.yaml is not.
    expect(Object.keys(PINNED_RELEASES['kratix-single-cluster'].sha256!).sort()).toEqual(['destination', 'flux', 'gitops', 'minio', 'state-store']);
    expect(PINNED_RELEASES.kratix.sha256).toBeUndefined();
    expect(PINNED_RELEASES.kratix.unpinned).toMatch(/`latest` is a moving tag/);
    // No two of them share a file name in a local release folder.
    expect(new Set(Object.values(kratixManifestUrls()).map(localFileName)).size).toBe(7);
  });

  test('kratix.yaml is refused unless unpinned files are allowed; the single-cluster files pass their pins (the fixtures are the upstream bytes)', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-kratix-'));
    try {
      const download = async (u: string) => Buffer.from(kratixReleaseText(u)!);
      await expect(manifestReader(undefined, { cacheDir, download })(KRATIX_RELEASE_URL)).rejects.toThrow(new ReleaseFileError(`${KRATIX_RELEASE_URL}: refused, ` +
        `its bytes cannot be checked (upstream.yaml does not pin kratix@main-ae170e22 yet: ${PINNED_RELEASES.kratix.unpinned}). Pin it (npm run releases:pin, ` +
        'or the extraPins option), or trust its first download (its sha256 recorded, later reads checked against it) with ' +
        '`pulumi config set platform-blueprints:allowUnpinnedReleases true` (the allowUnpinned option)'));
      const pinned = manifestReader(undefined, { cacheDir, download });
      for (const role of ['minio', 'state-store', 'destination', 'gitops']) await expect(pinned(kratixManifestUrls()[role])).resolves.toContain('kind:');
      // The trimmed Flux fixture is not the pinned file: the pin refuses it (so the tests serve it unchecked).
      await expect(pinned(KRATIX_FLUX_URL)).rejects.toThrow(ReleaseFileError);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  test('kratix.yaml holds the 11 pinned platform.kratix.io CRDs; the Promise CRD converts through Kratix\'s webhook, its CA injected by cert-manager', async () => {
    const m = await manifests();
    const crds = m.kratix.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((o) => o.metadata.name).sort()).toEqual(['bucketstatestores', 'destinations', 'dryruns', 'gitstatestores', 'healthrecords', 'promisereleases',
      'promiserevisions', 'promises', 'resourcebindings', 'workplacements', 'works'].map((p) => `${p}.platform.kratix.io`));
    const promises = find(m.kratix, 'CustomResourceDefinition', undefined, 'promises.platform.kratix.io');
    expect(promises.metadata.annotations['cert-manager.io/inject-ca-from']).toBe('kratix-platform-system/kratix-platform-serving-cert');
    expect(promises.spec.conversion.webhook.clientConfig.service).toEqual({ name: 'kratix-platform-webhook-service', namespace: KRATIX_NAMESPACE, path: '/convert' });
    expect(find(m.kratix, 'Certificate', KRATIX_NAMESPACE, 'kratix-platform-serving-cert').spec.dnsNames)
      .toEqual(['kratix-platform-webhook-service.kratix-platform-system.svc', 'kratix-platform-webhook-service.kratix-platform-system.svc.cluster.local']);
  });

  test('the state store, the Destination and Flux\'s view of them agree: bucket kratix on the in-cluster MinIO, path worker-1', async () => {
    const m = await manifests();
    const store = find(m['state-store'], 'BucketStateStore', undefined, 'default');
    const destination = find(m.destination, 'Destination', undefined, KRATIX_DESTINATION.name);
    const bucket = find(m.gitops, 'Bucket', 'flux-system', 'kratix');
    expect(destination.spec.stateStoreRef).toEqual({ kind: 'BucketStateStore', name: 'default' });
    expect(destination.metadata.labels).toEqual(KRATIX_DESTINATION.labels);
    expect(store.spec.endpoint).toBe(`minio.${KRATIX_NAMESPACE}.svc.cluster.local`);
    expect([bucket.spec.endpoint, bucket.spec.bucketName]).toEqual([store.spec.endpoint, store.spec.bucketName]);
    expect(find(m.minio, 'Job', 'default', 'minio-create-bucket').spec.template.spec.containers[0].command).toEqual(['mc', 'mb', '--ignore-existing', `minio/${store.spec.bucketName}`]);
    expect(find(m.minio, 'Secret', store.spec.secretRef.namespace, store.spec.secretRef.name)).toBeDefined();
    const paths = m.gitops.filter((o) => o.kind === 'Kustomization').map((o) => o.spec.path).sort();
    expect(paths).toEqual([`./${destination.spec.path}/dependencies`, `./${destination.spec.path}/resources`]);
  });

  test('the Destination and the BucketStateStore are strictly valid against the pinned Kratix CRDs', async () => {
    const m = await manifests();
    const v = kratixValidator();
    expect(v.validateAll([...m['state-store'], ...m.destination])).toEqual([]);
    const typo = { ...m.destination[0], spec: { ...m.destination[0].spec, statestoreRef: m.destination[0].spec.stateStoreRef } };
    expect(v.validate(typo).join('\n')).toMatch(/statestoreRef/);
  });

  test('files that are not Kratix\'s are refused, naming what they lack; a Destination without the labels Promises select is refused', async () => {
    const m = await manifests();
    expect(() => prepareKratix({ ...m, gitops: [] }))
      .toThrow('the Kratix files lack Bucket flux-system/kratix (gitops); are these Kratix\'s kratix.yaml and its single-cluster files (upstream.yaml kratix, kratix-single-cluster)?');
    expect(() => prepareKratix({ ...m, kratix: m.flux, flux: m.kratix })).toThrow(/lack Namespace kratix-platform-system \(kratix\), .*Namespace flux-system \(flux\)/);
    const relabelled = structuredClone(m);
    relabelled.destination[0].metadata.labels = { environment: 'prod' };
    expect(() => prepareKratix(relabelled)).toThrow('the Destination worker-1 is labelled {"environment":"prod"}, not {"environment":"dev"}: Promises selecting it would not be scheduled');
  });
});

describe('install order', () => {
  test('cert-manager, then Kratix; Flux alongside; MinIO after Kratix (its namespace is Kratix\'s); the state store and Destination last', async () => {
    await installed;
    const deps = (stage: string) => mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', `kratix-${stage}`).sort();
    expect(Object.fromEntries(KRATIX_STAGES.map((s) => [s.name, deps(s.name)]))).toEqual({
      'cert-manager': [], 'kratix': ['kratix-cert-manager'], 'flux': [], 'minio': ['kratix-kratix'], 'config': ['kratix-flux', 'kratix-kratix', 'kratix-minio'],
    });
    const why = Object.fromEntries(install.declared.waits.map((w) => [`${w.from} → ${w.to}`, w.reasons]));
    expect(why['kratix-kratix → kratix-cert-manager']).toEqual(expect.arrayContaining(['declared after it', 'uses CustomResourceDefinition issuers.cert-manager.io']));
    expect(why['kratix-config → kratix-kratix']).toEqual(expect.arrayContaining(['uses CustomResourceDefinition destinations.platform.kratix.io']));
    expect(why['kratix-config → kratix-flux']).toEqual(expect.arrayContaining(['uses CustomResourceDefinition buckets.source.toolkit.fluxcd.io']));
    expect(install.installs).toEqual({ 'kratix': [install.stages.kratix, install.stages.config], 'cert-manager': [install.stages['cert-manager']] });
  });

  test('the platform\'s platform.kratix.io objects wait for Kratix and the registered Destination (derived from the plan)', async () => {
    await installed;
    await install.declared.settled();
    const app = new App();
    const chart = new Chart(app, 'promises');
    new ApiObject(chart, 'promise', { apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: 'functions-platform' }, spec: {} });
    const plan = DeploymentPlan.of(app);
    expect(plan.installs.map((i) => i.id)).toEqual(['cert-manager', 'kratix']);
    const deployment = new Cdk8sDeployment('promises', { root: app, plan, enforcePolicy: false, installs: install.installs, declared: install.declared });
    await settle(Object.values(deployment.resources));
    const [promise, ...more] = mocked.registrations.filter((r) => r.type === 'kubernetes:platform.kratix.io/v1alpha1:Promise');
    expect(more).toEqual([]);
    expect(promise.dependencies.map((urn) => urn.split('::').pop()).sort()).toEqual(expect.arrayContaining(['kratix-config', 'kratix-kratix']));
  });

  test('the webhooks and the Promise CRD are awaited until cert-manager has injected their CA (a Promise refused before is not retried)', async () => {
    await installed;
    const waited = objs('kratix').filter((o) => o.metadata.annotations?.['pulumi.com/waitFor']).map((o) => `${o.kind} ${o.metadata.name}`).sort();
    expect(waited).toEqual(['CustomResourceDefinition promises.platform.kratix.io', 'MutatingWebhookConfiguration kratix-platform-mutating-webhook-configuration',
      'ValidatingWebhookConfiguration kratix-platform-validating-webhook-configuration']);
    expect(find(objs('kratix'), 'CustomResourceDefinition', undefined, 'promises.platform.kratix.io').metadata.annotations['pulumi.com/waitFor'])
      .toContain('jsonpath={.spec.conversion.webhook.clientConfig.caBundle}');
  });
});

describe('every object declared once', () => {
  test('Namespace kratix-platform-system: kratix.yaml\'s copy is deployed, MinIO\'s file\'s copy dropped (the stage waits for it); no object is in two stages', async () => {
    await installed;
    const all = KRATIX_STAGES.flatMap((s) => objs(s.name).map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    expect(new Set(all).size).toBe(all.length);
    expect(install.declared.dropped).toEqual([expect.objectContaining({ object: `Namespace ${KRATIX_NAMESPACE}`, droppedFrom: 'kratix-minio', keptBy: 'kratix-kratix', identical: false })]);
    expect(install.declared.holderOf('v1', 'Namespace', undefined, KRATIX_NAMESPACE)).toBe('kratix-kratix');
  });

  test('with the event stack on the same ledger, cert-manager is declared once: the event stack\'s copy, Kratix\'s stage waiting for it', async () => {
    const declared = new DeclaredObjects();
    const eventing = new KnativeEventing('ev', { reader: fixtureReader().read, declared });
    const kratix = new KratixInstall('kx', { reader: fixtureReader().read, declared });
    await settle([...Object.values(eventing.stages), ...Object.values(kratix.stages)]);
    expect(mocked.get('kubernetes:yaml/v2:ConfigGroup', 'kx-cert-manager').inputs.objs).toEqual([]);
    expect(declared.dropped.filter((d) => d.droppedFrom === 'kx-cert-manager').every((d) => d.keptBy === 'ev-cert-manager' && d.identical)).toBe(true);
    expect(declared.dropped.filter((d) => d.droppedFrom === 'kx-cert-manager').length).toBeGreaterThan(5);
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'kx-cert-manager')).toEqual(['ev-cert-manager']);
  });

  test('installCertManager false (the cluster runs cert-manager): no cert-manager stage, Kratix first', async () => {
    const m = await manifests();
    const { 'cert-manager': _, ...rest } = m;
    const own = new KratixInstall('own', { manifests: rest, installCertManager: false });
    await settle(Object.values(own.stages));
    expect(Object.keys(own.stages)).toEqual(['kratix', 'flux', 'minio', 'config']);
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'own-kratix')).toEqual([]);
    expect(own.installs).toEqual({ kratix: [own.stages.kratix, own.stages.config] });
  });
});

describe('settings and teardown', () => {
  test('MinIO\'s Service is ClusterIP (upstream\'s NodePort 31337 exposes it with its default credentials on every node) unless minioNodePort', async () => {
    await installed;
    const m = await manifests();
    const raw = find(m.minio, 'Service', KRATIX_NAMESPACE, 'minio');
    expect([raw.spec.type, raw.spec.ports[0].nodePort]).toEqual(['NodePort', 31337]);
    const service = find(objs('minio'), 'Service', KRATIX_NAMESPACE, 'minio');
    expect(service.spec).toEqual({ ...raw.spec, type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 9000 }] });
    expect(find(prepareKratix(m, { minioNodePort: true }).minio, 'Service', KRATIX_NAMESPACE, 'minio')).toEqual(raw);
  });

  test('every CRD (Kratix\'s, Flux\'s, cert-manager\'s) is retained on delete; no other object is', async () => {
    await installed;
    const retained = await retainedOnDelete(mocked, KRATIX_STAGES.map((s) => `kratix-${s.name}`));
    expect(retained).toEqual(expect.arrayContaining(['kratix-kratix:promises.platform.kratix.io', 'kratix-flux:kustomizations.kustomize.toolkit.fluxcd.io']));
    expect(retained.filter((n) => n.endsWith('.platform.kratix.io'))).toHaveLength(11);
  });

  test('the unpinned files were read with a warning giving their sha256 (cert-manager\'s, kratix.yaml); the pinned ones without', async () => {
    await installed;
    expect(reader.urls).toEqual(Object.values(kratixManifestUrls()));
    expect(reader.warnings.map((w) => w.split(':').slice(0, 2).join(':'))).toEqual([
      'https://github.com/cert-manager/cert-manager/releases/download/v1.18.2/cert-manager.yaml', KRATIX_RELEASE_URL,
    ]);
  });
});
