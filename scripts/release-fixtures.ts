/**
 * Generates the release fixtures the package ships for `platform-blueprints/testing` (fixtures/releases/): one file
 * per release file the installs read, laid out like a local release folder (`releasesDir`: localFileName of each
 * URL), plus SOURCES.json (file → the pinned URL it stands for).
 *
 * Sources: the real Knative files of ../shared/releases and the test fixtures of test/fixtures (with their CRDs put
 * in from ../shared/crds), read as the tests read them (test/support). Each object is kept, in the file's order,
 * with apiVersion, kind and metadata whole, and everything that decides what is created when, by whom and with
 * which settings the installs change: CRDs' group, names, scope, versions (served, storage, subresources) and
 * conversion; webhook configurations, Services, RBAC, Certificates and Issuers whole; ConfigMaps' data (but
 * upstream's `_example` documentation); workloads' replicas, selectors, pod labels and annotations, service
 * accounts, security contexts, container names, images and ports. Dropped: CRD schemas (replaced by one that keeps
 * unknown fields), container args, env, probes, resources, volume mounts, volumes and affinity — none of which the
 * installs read or change — which keeps the package small (the real Knative files alone are 1.7 MB).
 *
 * `npm run fixtures:releases` writes them; test/pulumi/testing.test.ts fails when they are stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { eventingManifestUrls } from '../src/pulumi/knative-eventing';
import { KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION, knativeServingManifestUrls } from '../src/pulumi/knative-serving';
import { kratixManifestUrls } from '../src/pulumi/kratix';
import { localFileName } from '../src/pulumi/release-files';
import { parseManifests } from '../src/pulumi/release-install';
import { tektonManifestUrls } from '../src/pulumi/tekton';
import { releaseFileOf, tektonReleaseText } from '../test/support/knative-release';
import { kratixReleaseText } from '../test/support/kratix-release';
import { REPO_ROOT } from './lib/upstream';

export const RELEASE_FIXTURES = path.join(REPO_ROOT, 'fixtures', 'releases');

/** Every release file an install of PlatformDeployment reads, by URL. */
export function releaseFixtureUrls(): string[] {
  return [...new Set([
    ...Object.values(knativeServingManifestUrls(KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION)),
    ...Object.values(eventingManifestUrls()),
    ...Object.values(tektonManifestUrls()),
    ...Object.values(kratixManifestUrls()),
  ])];
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

function trimContainer(c: any): any {
  const { name, image, ports, securityContext } = c;
  return { name, image, ...ports ? { ports } : {}, ...securityContext ? { securityContext } : {} };
}

function trimPodTemplate(t: any): any {
  if (!t?.spec) return t;
  const { volumes: _v, affinity: _a, ...spec } = t.spec;
  return {
    ...t,
    spec: {
      ...spec,
      ...spec.containers ? { containers: spec.containers.map(trimContainer) } : {},
      ...spec.initContainers ? { initContainers: spec.initContainers.map(trimContainer) } : {},
    },
  };
}

/** One object, trimmed (see the module comment). */
export function trimObject(o: any): any {
  if (o.kind === 'CustomResourceDefinition' && Array.isArray(o.spec?.versions)) {
    return {
      ...o,
      spec: {
        ...o.spec,
        versions: o.spec.versions.map((v: any) => ({ ...v, schema: { openAPIV3Schema: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } } })),
      },
    };
  }
  if (o.kind === 'ConfigMap' && o.data) {
    return { ...o, data: Object.fromEntries(Object.entries(o.data).filter(([k]) => !k.startsWith('_example'))) };
  }
  if (WORKLOADS.has(o.kind) && o.spec?.template) {
    const spec = { ...o.spec, template: trimPodTemplate(o.spec.template) };
    return { ...o, spec };
  }
  return o;
}

/** The text the tests serve for a URL (test/support). */
function sourceText(url: string): string {
  return tektonReleaseText(url) ?? kratixReleaseText(url) ?? fs.readFileSync(releaseFileOf(url), 'utf8');
}

/** The fixture files, by file name (SOURCES.json included). */
export function releaseFixtures(): { [file: string]: string } {
  const files: { [file: string]: string } = {};
  const sources: { [file: string]: string } = {};
  for (const url of releaseFixtureUrls()) {
    const file = localFileName(url);
    const objects = parseManifests(sourceText(url), url).map(trimObject);
    files[file] = `# ${url}, trimmed for platform-blueprints/testing (scripts/release-fixtures.ts)\n` +
      objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
    sources[file] = url;
  }
  files['SOURCES.json'] = `${JSON.stringify(sources, null, 2)}\n`;
  return files;
}

if (require.main === module) {
  fs.rmSync(RELEASE_FIXTURES, { recursive: true, force: true });
  fs.mkdirSync(RELEASE_FIXTURES, { recursive: true });
  for (const [file, text] of Object.entries(releaseFixtures())) fs.writeFileSync(path.join(RELEASE_FIXTURES, file), text);
  console.log(`wrote ${fs.readdirSync(RELEASE_FIXTURES).length} files to ${path.relative(REPO_ROOT, RELEASE_FIXTURES)}`);
}
