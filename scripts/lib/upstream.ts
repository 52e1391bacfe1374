/**
 * The pinned upstream schemas (upstream.yaml) and where to read them from.
 *
 * A *schema location* is a folder laid out like `../shared/crds` (`<project>/<version>/<file>`). It is, in order:
 *   1. the folder named by `--schemas <dir>` or `$PLATFORM_BLUEPRINTS_SCHEMAS`,
 *   2. `../shared/crds` beside the repository, when present (this workplace and its CI),
 *   3. the download cache (`$XDG_CACHE_HOME/platform-blueprints/schemas`, filled by `npm run schemas:fetch`).
 * Every file read is checked against its pinned sha256: a location with other bytes fails loudly.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isMap, parse, parseDocument } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CATALOG_FILE = path.join(REPO_ROOT, 'upstream.yaml');
export const SCHEMAS_ENV = 'PLATFORM_BLUEPRINTS_SCHEMAS';

export interface PinnedFile {
  /** Path inside the upstream repository at the pinned tag. */
  readonly path: string;
  /** Path inside a schema location. */
  readonly local: string;
  readonly sha256: string;
}

export interface UpstreamPackage {
  readonly name: string;
  readonly version: string;
  readonly project: string;
  readonly licence: string;
  /** Whether `npm run import` generates L1 classes from this package. */
  readonly import: boolean;
  /** Optional class-name prefix for `cdk8s import` (needed when a kind clashes with a global, e.g. `Object`). */
  readonly classPrefix?: string;
  /** Whether the default validator loads it (false for older versions kept for compatibility checks). @default true */
  readonly validate?: boolean;
  readonly url: string;
  readonly files: PinnedFile[];
}

/** A release the platform installs on a cluster (upstream.yaml `releases:`), by its pinned version. */
export interface UpstreamRelease {
  readonly name: string;
  readonly title: string;
  readonly version: string;
  readonly project: string;
  /** Release files or packages by role (`crds`, `core`, `package`, ...). */
  readonly artifacts: { readonly [role: string]: string };
  /** sha256 of each release file the Pulumi program reads, by role. */
  readonly sha256?: { readonly [role: string]: string };
  /** Why the release files are not pinned yet (the program refuses them unless unpinned files are allowed). */
  readonly unpinned?: string;
}

/** Whether an artifact is a release file the Pulumi program reads (a manifest URL), as opposed to a chart or package. */
export function isReleaseFile(artifact: string): boolean {
  return /^https:\/\/.+\.ya?ml$/.test(artifact);
}

export function loadCatalog(file: string = CATALOG_FILE): UpstreamPackage[] {
  const doc = parse(fs.readFileSync(file, 'utf8')) as { packages: UpstreamPackage[] };
  return doc.packages;
}

export function loadReleases(file: string = CATALOG_FILE): UpstreamRelease[] {
  const doc = parse(fs.readFileSync(file, 'utf8')) as { releases?: UpstreamRelease[] };
  const releases = doc.releases ?? [];
  const seen = new Set<string>();
  for (const r of releases) {
    if (typeof r.name !== 'string' || !/^[a-z0-9-]+$/.test(r.name) || seen.has(r.name)) throw new Error(`${file}: release name ${JSON.stringify(r.name)} is missing, malformed or listed twice`);
    // x.y.z, or <branch>-<commit> for a project that publishes no numbered release (Kratix: only the moving tag `latest`).
    if (typeof r.version !== 'string' || !/^(\d+\.\d+\.\d+|[a-z]+-[0-9a-f]{8,40})$/.test(r.version)) {
      throw new Error(`${file}: release ${r.name} has version ${JSON.stringify(r.version)}; give an exact x.y.z, or <branch>-<commit> (8+ hex digits) for a project without numbered releases`);
    }
    if (!r.artifacts || typeof r.artifacts !== 'object' || Object.keys(r.artifacts).length === 0) throw new Error(`${file}: release ${r.name} lists no artifacts`);
    for (const [role, hash] of Object.entries(r.sha256 ?? {})) {
      if (!(role in r.artifacts)) throw new Error(`${file}: release ${r.name} pins sha256 of ${role}, which is not one of its artifacts`);
      if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw new Error(`${file}: release ${r.name} pins ${role} with ${JSON.stringify(hash)}; give the 64 hex digits of its sha256`);
    }
    const unpinnedFiles = Object.entries(r.artifacts).filter(([role, a]) => isReleaseFile(a) && !r.sha256?.[role]).map(([role]) => role);
    if (unpinnedFiles.length && (typeof r.unpinned !== 'string' || r.unpinned.trim() === '')) {
      throw new Error(`${file}: release ${r.name} does not pin ${unpinnedFiles.join(', ')}; add their sha256 (npm run releases:pin), or say why not in \`unpinned\``);
    }
    if (!unpinnedFiles.length && r.unpinned !== undefined) throw new Error(`${file}: release ${r.name} pins every file but says \`unpinned\`; remove it`);
    seen.add(r.name);
  }
  return releases;
}

export function upstreamUrl(pkg: UpstreamPackage, file: PinnedFile): string {
  return pkg.url + file.path;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'platform-blueprints', 'schemas');
}

export class SchemaLocationError extends Error {}

/** A schema location holds every pinned file (not necessarily verified yet). */
function holdsAll(dir: string, packages: UpstreamPackage[]): boolean {
  return packages.every((p) => p.files.every((f) => fs.existsSync(path.join(dir, f.local))));
}

/**
 * Resolves the schema location. Never touches the network: when no location is complete it throws an error that
 * says where it looked and how to fill the cache.
 */
export function resolveSchemaLocation(explicit?: string, packages: UpstreamPackage[] = loadCatalog()): string {
  const fromEnv = process.env[SCHEMAS_ENV];
  const chosen = explicit ?? fromEnv;
  if (chosen) {
    const dir = path.resolve(chosen);
    if (!holdsAll(dir, packages)) {
      const missing = packages.flatMap((p) => p.files).filter((f) => !fs.existsSync(path.join(dir, f.local)));
      throw new SchemaLocationError(
        `schema location ${dir} (from ${explicit ? '--schemas' : '$' + SCHEMAS_ENV}) lacks ${missing.length} pinned file(s), ` +
          `e.g. ${missing[0].local}; point it at a folder laid out like ../shared/crds or run \`npm run schemas:fetch\``,
      );
    }
    return dir;
  }
  const candidates = [path.resolve(REPO_ROOT, '..', 'shared', 'crds'), defaultCacheDir()];
  for (const dir of candidates) {
    if (holdsAll(dir, packages)) return dir;
  }
  throw new SchemaLocationError(
    'NO SCHEMA LOCATION: none of ' + candidates.join(', ') + ' holds the pinned upstream schemas listed in upstream.yaml. ' +
      `Run \`npm run schemas:fetch\` (downloads them once into the cache), or set $${SCHEMAS_ENV} to a folder laid out ` +
      'like ../shared/crds. Schema validation never passes by skipping.',
  );
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads one pinned file from a schema location and checks its bytes against the pin. */
export function readPinned(location: string, pkg: UpstreamPackage, file: PinnedFile): Buffer {
  const full = path.join(location, file.local);
  const data = fs.readFileSync(full);
  const actual = sha256(data);
  if (actual !== file.sha256) {
    throw new SchemaLocationError(
      `${full} does not match upstream.yaml (${pkg.name} ${pkg.version}, ${file.path}): sha256 ${actual}, pinned ${file.sha256}. ` +
        'The schema location holds another upstream version; fetch the pinned one (`npm run schemas:fetch`) or update upstream.yaml deliberately.',
    );
  }
  return data;
}

/**
 * Downloads every pinned file into a schema location (default: the cache), verifying each sha256; files already
 * present with the right bytes are kept. The only networked step of the project.
 */
export async function fetchPinned(target: string = defaultCacheDir(), packages: UpstreamPackage[] = loadCatalog()): Promise<{ fetched: number; kept: number }> {
  let fetched = 0;
  let kept = 0;
  for (const pkg of packages) {
    for (const file of pkg.files) {
      const dest = path.join(target, file.local);
      if (fs.existsSync(dest) && sha256(fs.readFileSync(dest)) === file.sha256) {
        kept++;
        continue;
      }
      const url = upstreamUrl(pkg, file);
      const response = await fetch(url).catch((err: Error & { cause?: { code?: string } }) => {
        throw new Error(`GET ${url}: ${err.message}${err.cause?.code ? ` (${err.cause.code})` : ''}`);
      });
      if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
      const data = Buffer.from(await response.arrayBuffer());
      const actual = sha256(data);
      if (actual !== file.sha256) throw new Error(`GET ${url}: sha256 ${actual} does not match the pin ${file.sha256} in upstream.yaml`);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, data);
      fetched++;
    }
  }
  return { fetched, kept };
}

/** The release files of upstream.yaml that have no sha256 pin yet (their URLs). */
export function unpinnedReleaseFiles(releases: UpstreamRelease[] = loadReleases()): string[] {
  return releases.flatMap((r) => Object.entries(r.artifacts).filter(([role, url]) => isReleaseFile(url) && !r.sha256?.[role]).map(([, url]) => url));
}

/**
 * upstream.yaml's text with the given sha256 pins (by URL) written into `releases:`; a release whose files are all
 * pinned then loses its `unpinned` reason. Comments and layout are kept. Pure: `npm run releases:pin` downloads.
 */
export function withReleasePins(text: string, hashes: { [url: string]: string }): string {
  const doc = parseDocument(text);
  const releases = doc.get('releases');
  if (!releases || !('items' in (releases as object))) throw new Error('upstream.yaml has no releases list');
  for (const item of (releases as any).items) {
    if (!isMap(item)) continue;
    const artifacts = (item.get('artifacts') as any)?.toJSON() ?? {};
    for (const [role, url] of Object.entries<string>(artifacts)) {
      const hash = hashes[url];
      if (hash === undefined) continue;
      if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`${url}: ${JSON.stringify(hash)} is not a sha256`);
      item.setIn(['sha256', role], hash);
    }
    const pinned = (item.get('sha256') as any)?.toJSON() ?? {};
    if (Object.entries<string>(artifacts).every(([role, url]) => !isReleaseFile(url) || pinned[role])) item.delete('unpinned');
  }
  return doc.toString({ lineWidth: 0 });
}
