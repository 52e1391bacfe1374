import * as fs from 'fs';
import * as path from 'path';
import { loadCatalog, readPinned, resolveSchemaLocation } from '../../scripts/lib/upstream';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'knative-release');

/**
 * A manifest reader serving the release files from test fixtures: serving-crds.yaml and eventing-crds.yaml from the
 * pinned upstream CRDs, the others from test/fixtures/knative-release. Records the URLs asked for.
 */
export function fixtureReader(): { read: (url: string) => Promise<string>; urls: string[] } {
  const urls: string[] = [];
  const location = resolveSchemaLocation();
  const pinned = (name: string) => {
    const pkg = loadCatalog().find((p) => p.name === name)!;
    return pkg.files.map((f) => readPinned(location, pkg, f).toString('utf8')).join('\n---\n');
  };
  const generated: { [file: string]: string } = { 'serving-crds.yaml': pinned('knative-serving'), 'eventing-crds.yaml': pinned('knative-eventing') };
  return {
    urls,
    read: async (url: string) => {
      urls.push(url);
      const file = url.split('/').pop() as string;
      if (generated[file]) return generated[file];
      return fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    },
  };
}
