/**
 * Pins the release files of upstream.yaml (`releases:`) that have no sha256 yet: downloads each one, writes its
 * sha256 into upstream.yaml, and drops the release's `unpinned` reason once all its files are pinned. Needs the
 * network (GitHub); run `npm run import` afterwards so constructs/imports/versions.ts carries the pins.
 *
 *   npm run releases:pin
 *
 * Check what you pin: the pin is what the Pulumi program will accept from then on.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { CATALOG_FILE, unpinnedReleaseFiles, withReleasePins } from './lib/upstream';

async function main(): Promise<void> {
  const urls = unpinnedReleaseFiles();
  if (!urls.length) {
    console.log('every release file of upstream.yaml is pinned');
    return;
  }
  const hashes: { [url: string]: string } = {};
  for (const url of urls) {
    const response = await fetch(url).catch((err: Error & { cause?: { code?: string } }) => {
      throw new Error(`GET ${url}: ${err.message}${err.cause?.code ? ` (${err.cause.code})` : ''}`);
    });
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    hashes[url] = createHash('sha256').update(new Uint8Array(await response.arrayBuffer())).digest('hex');
    console.log(`${hashes[url]}  ${url}`);
  }
  fs.writeFileSync(CATALOG_FILE, withReleasePins(fs.readFileSync(CATALOG_FILE, 'utf8'), hashes));
  console.log(`pinned ${urls.length} file(s) in upstream.yaml; now run \`npm run import\``);
}

main().catch((err: Error) => {
  console.error(`releases:pin failed: ${err.message}`);
  process.exit(1);
});
