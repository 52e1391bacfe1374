/**
 * cdk8s entry: synthesizes the reference platform into dist/ (`npm run synth`, which runs `cdk8s synth`).
 * Deterministic: the same code gives the same bytes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { EventCatalog, KratixPromise, PlatformDocs } from '../constructs';
import { buildReferencePlatform } from './reference-platform';

export function synthReferenceApp(outdir?: string): App {
  // construct-metadata.json maps objects to construct paths for the policy report; written on every synth.
  const app = new App({ outdir, recordConstructMetadata: true });
  buildReferencePlatform(app);
  return app;
}

export function referenceDocs(app: App): string {
  return PlatformDocs.render({
    title: 'Reference functions platform',
    source: 'src/reference-platform.ts',
    charts: app.charts as Chart[],
  });
}

/** Files written next to the manifests: the README, the event catalog and its picture. */
export function referenceExtras(app: App): { [file: string]: string } {
  const catalog = EventCatalog.of(app);
  // What an application team applies to use a Promise (as `kratix init promise` writes `example-resource.yaml`).
  const examples = app.node.findAll().filter((c): c is KratixPromise => c instanceof KratixPromise)
    .map((p) => [`${p.name}-example-resource.yaml`, stringify(p.exampleRequest('example', 'default'))]);
  return {
    'README.md': referenceDocs(app),
    'events.md': catalog.renderMarkdown('Event catalog of the reference platform', 'events.svg'),
    'events.svg': catalog.renderSvg('Event flows of the reference platform'),
    ...Object.fromEntries(examples),
  };
}

if (require.main === module) {
  const app = synthReferenceApp();
  app.synth();
  for (const [file, content] of Object.entries(referenceExtras(app))) fs.writeFileSync(path.join(app.outdir, file), content);
}
