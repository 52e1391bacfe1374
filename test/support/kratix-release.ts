import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { REPO_ROOT } from '../../scripts/lib/upstream';

/** The folder of the Kratix fixtures (its README says what each mirrors and what was kept). */
export const KRATIX_FIXTURES = path.join(__dirname, '..', 'fixtures', 'kratix-release');

const COMMIT = 'https://raw.githubusercontent.com/syntasso/kratix/ae170e22e974e45bb7cfda00986057e01b3ccfde';

/** The release file of `latest` (unpinned): the fixture, each CRD's versions put in from ../shared/crds. */
export const KRATIX_RELEASE_URL = 'https://github.com/syntasso/kratix/releases/download/latest/kratix.yaml';

/** Flux's install file: pinned upstream, served trimmed (schemas and container details removed), so not checked against its pin. */
export const KRATIX_FLUX_URL = `${COMMIT}/hack/destination/gitops-tk-install.yaml`;

/** The pinned files served unchanged (byte for byte: they pass their sha256 pins). */
const VERBATIM: { [url: string]: string } = {
  [`${COMMIT}/config/samples/minio-install.yaml`]: 'minio-install.yaml',
  [`${COMMIT}/config/samples/platform_v1alpha1_worker.yaml`]: 'platform_v1alpha1_worker.yaml',
  [`${COMMIT}/config/samples/platform_v1alpha1_bucketstatestore.yaml`]: 'platform_v1alpha1_bucketstatestore.yaml',
  [`${COMMIT}/hack/destination/gitops-tk-resources-single-cluster.yaml`]: 'gitops-tk-resources-single-cluster.yaml',
};

function crdsDir(): string {
  return path.resolve(process.env.PLATFORM_BLUEPRINTS_SCHEMAS ?? path.join(REPO_ROOT, '..', 'shared', 'crds'));
}

/**
 * The text of a Kratix file as the tests serve it, or undefined for other URLs. `kratix.yaml`: the fixture with each
 * CRD's `spec.versions` (the line `@crd-versions <file>`) taken from that pinned CRD file, unchanged; fails loudly when
 * the CRDs are not there.
 */
export function kratixReleaseText(url: string): string | undefined {
  if (VERBATIM[url]) return fs.readFileSync(path.join(KRATIX_FIXTURES, VERBATIM[url]), 'utf8');
  if (url === KRATIX_FLUX_URL) return fs.readFileSync(path.join(KRATIX_FIXTURES, 'gitops-tk-install.yaml'), 'utf8');
  if (url !== KRATIX_RELEASE_URL) return undefined;
  const docs = parseAllDocuments(fs.readFileSync(path.join(KRATIX_FIXTURES, 'kratix.yaml'), 'utf8')).map((d) => d.toJS());
  return docs.map((o) => {
    const marker = /^@crd-versions (\S+)$/.exec(o?.spec?.versions ?? '');
    if (o?.kind === 'CustomResourceDefinition' && marker) {
      const file = path.join(crdsDir(), marker[1]);
      if (!fs.existsSync(file)) throw new Error(`NO CRDS: ${file} is missing; the Kratix fixture takes its CRDs' versions from there`);
      o.spec.versions = parse(fs.readFileSync(file, 'utf8')).spec.versions;
    }
    return stringify(o, { lineWidth: 0 });
  }).join('---\n');
}
