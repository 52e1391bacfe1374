/**
 * cdk8s entry: synthesizes the reference platform into dist/ (`npm run synth`, which runs `cdk8s synth`).
 * Deterministic: the same code gives the same bytes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { renderPlatformDocs } from '../constructs';
import { buildReferencePlatform } from './reference-platform';

export function synthReferenceApp(outdir?: string): App {
  const app = new App({ outdir });
  buildReferencePlatform(app);
  return app;
}

export function referenceDocs(app: App): string {
  return renderPlatformDocs({
    title: 'Reference functions platform',
    source: 'src/reference-platform.ts',
    charts: app.charts as Chart[],
  });
}

if (require.main === module) {
  const app = synthReferenceApp();
  app.synth();
  fs.writeFileSync(path.join(app.outdir, 'README.md'), referenceDocs(app));
}
