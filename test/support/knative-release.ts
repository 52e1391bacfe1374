import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../../scripts/lib/upstream';
import { manifestReader } from '../../src/pulumi/release-files';
import { KRATIX_FLUX_URL, kratixReleaseText } from './kratix-release';

/** Trimmed fixtures of the release files that are not in ../shared/releases (see the folder's README). */
export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'knative-release');

/** Where the real release files are: `$PLATFORM_BLUEPRINTS_RELEASES`, else `../shared/releases` beside the repository. */
export const RELEASES_ENV = 'PLATFORM_BLUEPRINTS_RELEASES';

/** The pinned release URLs served from ../shared/releases (their SOURCES.md says where each file comes from). */
const SHARED: { [url: string]: string } = {
  'https://github.com/knative/serving/releases/download/knative-v1.22.1/serving-crds.yaml': 'knative-serving/v1.22.1/1-serving-crds.yaml',
  'https://github.com/knative/serving/releases/download/knative-v1.22.1/serving-core.yaml': 'knative-serving/v1.22.1/2-serving-core.yaml',
  'https://github.com/knative-extensions/net-kourier/releases/download/knative-v1.22.1/kourier.yaml': 'net-kourier/v1.22/kourier.yaml',
  'https://github.com/knative/eventing/releases/download/knative-v1.22.2/eventing-crds.yaml': 'knative-eventing/v1.22.2/1-eventing-crds.yaml',
  'https://github.com/knative/eventing/releases/download/knative-v1.22.2/eventing-core.yaml': 'knative-eventing/v1.22.2/2-eventing-core.yaml',
  'https://github.com/knative/eventing/releases/download/knative-v1.22.2/in-memory-channel.yaml': 'knative-eventing/v1.22.2/4-in-memory-channel.yaml',
  'https://github.com/knative/eventing/releases/download/knative-v1.22.2/mt-channel-broker.yaml': 'knative-eventing/v1.22.2/5-mt-channel-broker.yaml',
};

/** The pinned release URLs served from trimmed fixtures (test/fixtures/knative-release/README.md). */
const TRIMMED: { [url: string]: string } = {
  'https://github.com/cert-manager/cert-manager/releases/download/v1.18.2/cert-manager.yaml': 'cert-manager.yaml',
  'https://github.com/rabbitmq/cluster-operator/releases/download/v2.22.3/cluster-operator.yml': 'cluster-operator.yml',
  'https://github.com/rabbitmq/messaging-topology-operator/releases/download/v1.20.1/messaging-topology-operator-with-certmanager.yaml':
    'messaging-topology-operator-with-certmanager.yaml',
  'https://github.com/knative-extensions/eventing-rabbitmq/releases/download/knative-v1.22.1/rabbitmq-broker.yaml': 'rabbitmq-broker.yaml',
};

/** The Tekton release URLs served from trimmed fixtures with the pinned CRDs put in (test/fixtures/tekton-release/README.md). */
const TEKTON: { [url: string]: string } = {
  'https://infra.tekton.dev/tekton-releases/pipeline/previous/v1.15.0/release.yaml': 'pipeline-release.yaml',
  'https://infra.tekton.dev/tekton-releases/triggers/previous/v0.37.0/release.yaml': 'triggers-release.yaml',
  'https://infra.tekton.dev/tekton-releases/triggers/previous/v0.37.0/interceptors.yaml': 'triggers-interceptors.yaml',
};

/** The folder of the Tekton fixtures. */
export const TEKTON_FIXTURES = path.join(__dirname, '..', 'fixtures', 'tekton-release');

/** The pinned upstream CRDs (../shared/crds, or `$PLATFORM_BLUEPRINTS_SCHEMAS`). */
function crdsDir(): string {
  return path.resolve(process.env.PLATFORM_BLUEPRINTS_SCHEMAS ?? path.join(REPO_ROOT, '..', 'shared', 'crds'));
}

/**
 * The text of a Tekton release file as the tests serve it: the fixture, with its `# @crds <folder>` line replaced by
 * the pinned CRD files of that folder (in file-name order, as `ko resolve` reads them), unchanged. Fails loudly when
 * the CRDs are not there.
 */
export function tektonReleaseText(url: string): string | undefined {
  const fixture = TEKTON[url];
  if (!fixture) return undefined;
  return fs.readFileSync(path.join(TEKTON_FIXTURES, fixture), 'utf8').replace(/^# @crds (\S+)\n/m, (_, folder: string) => {
    if (folder === 'none') return '';
    const dir = path.join(crdsDir(), folder);
    if (!fs.existsSync(dir)) throw new Error(`NO CRDS: ${dir} is missing; the Tekton fixtures take their CRDs from there`);
    return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
      .map((f) => `---\n${fs.readFileSync(path.join(dir, f), 'utf8')}\n`).join('');
  });
}

/** The folder of real release files; fails loudly when it is not there (tests never pass by skipping). */
export function releasesDir(): string {
  const dir = path.resolve(process.env[RELEASES_ENV] ?? path.join(REPO_ROOT, '..', 'shared', 'releases'));
  const missing = Object.values(SHARED).filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length) {
    throw new Error(`NO RELEASE FILES: ${dir} lacks ${missing.join(', ')}; point $${RELEASES_ENV} at a folder laid out like ../shared/releases`);
  }
  return dir;
}

/** The real release file of a pinned URL, when ../shared/releases has it. */
export function sharedReleaseFile(url: string): string | undefined {
  return SHARED[url] ? path.join(releasesDir(), SHARED[url]) : undefined;
}

/** The file serving a pinned release URL in the tests: the real one of ../shared/releases, else the trimmed fixture. */
export function releaseFileOf(url: string): string {
  const file = sharedReleaseFile(url) ?? (TRIMMED[url] ? path.join(FIXTURES, TRIMMED[url]) : undefined);
  if (!file) throw new Error(`fixture reader: no release file for ${url}`);
  return file;
}

let cacheDir: string | undefined;
/** One download cache per test process, removed when it exits. */
function testCache(): string {
  if (!cacheDir) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-release-cache-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    cacheDir = dir;
  }
  return cacheDir;
}

/**
 * The program's own reader (manifestReader: every pinned file checked against upstream.yaml, cached) with its
 * downloads served from the files above instead of the network: the real Knative files pass their pins; the trimmed
 * fixtures have none, so they are read as unpinned files are (`allowUnpinned`), with a warning each (recorded).
 * Records the URLs asked for.
 */
export function fixtureReader(): { read: (url: string) => Promise<string>; urls: string[]; warnings: string[] } {
  const urls: string[] = [];
  const warnings: string[] = [];
  const checked = manifestReader(undefined, {
    cacheDir: testCache(),
    allowUnpinned: true,
    download: async (url) => {
      const served = tektonReleaseText(url) ?? kratixReleaseText(url);
      return served !== undefined ? Buffer.from(served) : fs.readFileSync(releaseFileOf(url));
    },
    warn: (message) => warnings.push(message),
  });
  return {
    urls,
    warnings,
    read: async (url: string) => {
      urls.push(url);
      // Flux's install file is pinned, but its fixture is trimmed (test/fixtures/kratix-release/README.md): not checked.
      return url === KRATIX_FLUX_URL ? kratixReleaseText(url)! : checked(url);
    },
  };
}
