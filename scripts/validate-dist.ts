/**
 * Validates every manifest under a folder (default dist/) against the pinned upstream schemas, strictly, like
 * `kubeconform -strict` plus Kubernetes name rules and CRD pruning (see scripts/lib/schema-validator.ts).
 *
 *   npm run validate                  # dist/
 *   npm run validate -- other/dir     # any folder of *.yaml
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './lib/upstream';
import { SchemaValidator } from './lib/schema-validator';

function main(): void {
  const dir = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, 'dist'));
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const problems: string[] = [];
  const parsed: Array<{ file: string; obj: any }> = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      if (doc.errors.length) {
        problems.push(`${file}: YAML error: ${doc.errors[0].message}`);
        continue;
      }
      const obj = doc.toJS();
      if (obj !== null) parsed.push({ file, obj });
    }
  }
  // Requests of a Kratix Promise (the example resources) are validated against the API the Promise defines.
  const apis = parsed.map((p) => p.obj).filter((o) => o.apiVersion === 'platform.kratix.io/v1alpha1' && o.kind === 'Promise' && o.spec?.api).map((o) => o.spec.api);
  const validator = apis.length ? SchemaValidator.load().withCustomResourceDefinitions(apis, 'Kratix Promise APIs') : SchemaValidator.load();
  for (const { file, obj } of parsed) problems.push(...validator.validateAll([obj]).map((p) => `${file}: ${p}`));
  const objects = parsed.length;
  if (files.length === 0) problems.push(`${dir}: no manifests`);
  for (const p of problems) console.error(p);
  console.log(`${objects} objects in ${files.length} file(s) of ${dir}: ${problems.length ? `${problems.length} problem(s)` : 'all valid'} (schemas: ${validator.location})`);
  process.exit(problems.length ? 1 : 0);
}

main();
