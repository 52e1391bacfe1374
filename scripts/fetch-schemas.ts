/**
 * Downloads every pinned upstream schema (upstream.yaml) into the local cache, verifying each file's sha256.
 * This is the only step of the project that needs the network; tests and `npm run import` read the cache (or another
 * schema location) afterwards.
 *
 *   npm run schemas:fetch                 # into $XDG_CACHE_HOME/platform-blueprints/schemas
 *   npm run schemas:fetch -- --to <dir>   # into another folder (then set PLATFORM_BLUEPRINTS_SCHEMAS=<dir>)
 */
import * as path from 'path';
import { defaultCacheDir, fetchPinned } from './lib/upstream';

const toFlag = process.argv.indexOf('--to');
const target = toFlag >= 0 ? path.resolve(process.argv[toFlag + 1]) : defaultCacheDir();
fetchPinned(target).then(({ fetched, kept }) => {
  console.log(`schemas in ${target}: ${fetched} downloaded, ${kept} already present and verified`);
}).catch((err: Error) => {
  console.error(`schemas:fetch failed: ${err.message}`);
  process.exit(1);
});
