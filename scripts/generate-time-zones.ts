/**
 * `npm run tz:generate [-- <tzdata.zi>]`: writes constructs/core/time-zones.ts, the time zone names the library accepts,
 * from a tzdata release's compact zic input (default: /usr/share/zoneinfo/tzdata.zi of Debian's tzdata package).
 * The committed file names its release; test/core/time-zones.test.ts compares it with the machine's tzdata.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTzdataZi, renderTimeZonesModule } from './lib/tzdata';

const file = process.argv[2] ?? '/usr/share/zoneinfo/tzdata.zi';
const tz = parseTzdataZi(readFileSync(file, 'utf8'));
/** The Debian package version, when the file is the installed package's. */
function debianVersion(): string | undefined {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'tzdata'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const debian = file === '/usr/share/zoneinfo/tzdata.zi' ? debianVersion() : undefined;
const source = debian ? `Debian's tzdata ${debian} (${file})` : file;
writeFileSync(join(__dirname, '..', 'constructs', 'core', 'time-zones.ts'), renderTimeZonesModule(tz, source));
console.log(`time zones: ${tz.names.length} names of tzdata ${tz.version} from ${file}`);
