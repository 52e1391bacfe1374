/**
 * Bad input of `PlatformDocs.write` / `PlatformDocs.files` (the docs of any app; what they write is tested in
 * test/docs/app-docs.test.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { KnativeFunction, PlatformDocs, ValidationError } from '../../constructs';

function appWithOneFunction(): App {
  const app = new App();
  new KnativeFunction(new Chart(app, 'fns', { namespace: 'shop' }), 'orders', { image: 'ghcr.io/example/orders:1.0.0' });
  return app;
}

describe('PlatformDocs.write: refusals', () => {
  test('an App without charts: nothing to document', () => {
    expect(() => PlatformDocs.write(new App({ outdir: os.tmpdir() }))).toThrow(ValidationError);
    expect(() => PlatformDocs.files(new App())).toThrow(/charts \(\[\]\) is empty: there is nothing to document; add a Chart to the App/);
  });

  test('an outdir that is missing or not a directory, and nothing is written', () => {
    const app = appWithOneFunction();
    const missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pb-docs-write-')), 'missing', 'nested');
    expect(() => PlatformDocs.write(app, { outdir: missing })).toThrow(/^\S*: outdir \(".*missing\/nested"\) is not a writable directory \(ENOENT\); create it first/);
    expect(fs.existsSync(missing)).toBe(false);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pb-docs-write-')), 'a-file');
    fs.writeFileSync(file, '');
    expect(() => PlatformDocs.write(app, { outdir: file })).toThrow(/outdir \(".*a-file"\) is not a writable directory \(not a directory\)/);
    expect(fs.readFileSync(file, 'utf8')).toBe('');
  });
});
