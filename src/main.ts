/**
 * cdk8s entry: synthesizes the reference platform into dist/ (`npm run synth`, which runs `cdk8s synth`), then writes
 * its docs next to the manifests with `PlatformDocs.write`, the call any app can use.
 * Deterministic: the same code gives the same bytes.
 */
import { App } from 'cdk8s';
import { PlatformDocs, PlatformDocsWriteOptions } from '../constructs';
import { buildReferencePlatform } from './reference-platform';

export function synthReferenceApp(outdir?: string): App {
  // construct-metadata.json maps objects to construct paths for the policy report; written on every synth.
  const app = new App({ outdir, recordConstructMetadata: true });
  buildReferencePlatform(app);
  return app;
}

/** How the reference platform's docs are titled. */
export const REFERENCE_DOCS: PlatformDocsWriteOptions = {
  title: 'Reference functions platform',
  source: 'src/reference-platform.ts',
  eventCatalogTitle: 'Event catalog of the reference platform',
  eventPictureTitle: 'Event flows of the reference platform',
};

if (require.main === module) {
  const app = synthReferenceApp();
  app.synth();
  PlatformDocs.write(app, REFERENCE_DOCS);
}
