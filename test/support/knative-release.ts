import * as fs from 'fs';
import * as path from 'path';
import { loadCatalog, readPinned, resolveSchemaLocation } from '../../scripts/lib/upstream';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'knative-release');

/**
 * A manifest reader serving the Knative release files from test fixtures: serving-crds.yaml from the pinned
 * upstream CRDs, serving-core.yaml and kourier.yaml from test/fixtures/knative-release. Records the URLs asked for.
 */
export function fixtureReader(): { read: (url: string) => Promise<string>; urls: string[] } {
  const urls: string[] = [];
  const serving = loadCatalog().find((p) => p.name === 'knative-serving')!;
  const location = resolveSchemaLocation();
  const crds = serving.files.map((f) => readPinned(location, serving, f).toString('utf8')).join('\n---\n');
  return {
    urls,
    read: async (url: string) => {
      urls.push(url);
      const file = url.split('/').pop() as string;
      if (file === 'serving-crds.yaml') return crds;
      return fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    },
  };
}
