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
  const validator = SchemaValidator.load();
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  let objects = 0;
  const problems: string[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      if (doc.errors.length) {
        problems.push(`${file}: YAML error: ${doc.errors[0].message}`);
        continue;
      }
      const obj = doc.toJS();
      if (obj === null) continue;
      objects++;
      problems.push(...validator.validateAll([obj]).map((p) => `${file}: ${p}`));
    }
  }
  if (files.length === 0) problems.push(`${dir}: no manifests`);
  for (const p of problems) console.error(p);
  console.log(`${objects} objects in ${files.length} file(s) of ${dir}: ${problems.length ? `${problems.length} problem(s)` : 'all valid'} (schemas: ${validator.location})`);
  process.exit(problems.length ? 1 : 0);
}

main();
