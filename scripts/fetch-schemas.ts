/**
 * Downloads every pinned upstream schema (upstream.yaml) into the local cache, verifying each file's sha256.
 * This is the only step of the project that needs the network; tests and `npm run import` read the cache (or another
 * schema location) afterwards.
 *
 *   npm run schemas:fetch                 # into $XDG_CACHE_HOME/platform-blueprints/schemas
 *   npm run schemas:fetch -- --to <dir>   # into another folder (then set PLATFORM_BLUEPRINTS_SCHEMAS=<dir>)
 */
import * as fs from 'fs';
import * as path from 'path';
import { defaultCacheDir, loadCatalog, sha256, upstreamUrl } from './lib/upstream';

async function main(): Promise<void> {
  const toFlag = process.argv.indexOf('--to');
  const target = toFlag >= 0 ? path.resolve(process.argv[toFlag + 1]) : defaultCacheDir();
  let fetched = 0;
  let kept = 0;
  for (const pkg of loadCatalog()) {
    for (const file of pkg.files) {
      const dest = path.join(target, file.local);
      if (fs.existsSync(dest) && sha256(fs.readFileSync(dest)) === file.sha256) {
        kept++;
        continue;
      }
      const url = upstreamUrl(pkg, file);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
      const data = Buffer.from(await response.arrayBuffer());
      const actual = sha256(data);
      if (actual !== file.sha256) {
        throw new Error(`GET ${url}: sha256 ${actual} does not match the pin ${file.sha256} in upstream.yaml`);
      }
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, data);
      fetched++;
    }
  }
  console.log(`schemas in ${target}: ${fetched} downloaded, ${kept} already present and verified`);
}

main().catch((err: Error) => {
  console.error(`schemas:fetch failed: ${err.message}`);
  process.exit(1);
});
