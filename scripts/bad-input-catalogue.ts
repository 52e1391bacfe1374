/**
 * `npm run docs:bad-input`: runs the test suite (without the randomized property tests) recording every refusal it
 * provokes, pairs each with the rule in the source that raised it, and writes docs/bad-input.md and the examples it
 * was rendered from (docs/bad-input.json). Fails when a rule has no example: add a test that provokes it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedError, pickExamples, renderCatalogue, scanCatalogue, siteKey } from './lib/bad-input';

const root = join(__dirname, '..');
const recordings = mkdtempSync(join(tmpdir(), 'pb-bad-input-'));
try {
  const jest = spawnSync(process.execPath, [
    join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--silent',
    '--setupFilesAfterEnv', '<rootDir>/test/support/record-errors.ts',
    // Not the randomized property tests (examples would change on every run), not the catalogue's own check.
    '--testPathIgnorePatterns', '/test/property/', '/test/docs/',
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, PB_RECORD_ERRORS: recordings } });
  if (jest.status !== 0) throw new Error('the test suite failed; fix it before generating the catalogue');

  const records: RecordedError[] = readdirSync(recordings)
    .flatMap((f) => readFileSync(join(recordings, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RecordedError));
  const catalogue = scanCatalogue(root);
  const examples = pickExamples(catalogue.sites, records);
  writeFileSync(join(root, 'docs', 'bad-input.json'), JSON.stringify(examples, null, 2) + '\n');
  writeFileSync(join(root, 'docs', 'bad-input.md'), renderCatalogue(catalogue, examples));

  const missing = catalogue.sites.filter((s) => examples[siteKey(s)] === undefined);
  console.log(`bad-input catalogue: ${catalogue.sites.length} rules, ${catalogue.uses.length} shared-rule fields, ` +
    `${records.length} messages recorded, ${catalogue.sites.length - missing.length} rules with an example`);
  if (missing.length) {
    for (const s of missing) console.error(`  no test provokes: ${s.file} ${s.owner}: ${s.field} ${s.rule}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(recordings, { recursive: true, force: true });
}
