/**
 * The release files the Pulumi program installs, read with their integrity checked.
 *
 * Every file is checked against its sha256 pin in upstream.yaml (`releases:`, generated into PINNED_RELEASES),
 * wherever its bytes come from:
 *   1. a local folder (`dir`: the file name of each URL, e.g. `serving-core.yaml`; localFileName), for clusters
 *      without internet access — the stack setting `knativeManifestsDir`;
 *   2. the download cache (`cacheDir`, laid out like the URLs: `github.com/knative/serving/releases/download/...`),
 *      filled by earlier runs;
 *   3. the release URL, over HTTPS; a verified download is written to the cache.
 * A file whose bytes differ from its pin is refused, and so is a file without a pin, unless unpinned files are
 * allowed explicitly (`allowUnpinned`; the stack setting `allowUnpinnedReleases`). Those are trusted on first use:
 * the first download is cached with its sha256 recorded beside it (`<file>.sha256`, in `sha256sum` format), and
 * every later read — from the cache, or a download after the cached copy was deleted — must have those bytes; a file
 * that changed upstream is refused with both hashes. Every read of an unpinned file warns, with its sha256, so that
 * it can be pinned (`npm run releases:pin`, or `extraPins`). From a local folder an unpinned file is read as it is
 * (the folder is the user's copy), with the same warning.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { PINNED_RELEASES } from '../../constructs/imports/versions';

/** Reads a release file by URL; resolves to its text. */
export type ManifestReader = (url: string) => Promise<string>;

/** Where release files come from (PlatformDeployment's `releaseReader`): reads one by URL, resolves to its text. */
export interface IReleaseReader {
  read(url: string): Promise<string>;
}

let defaultReleaseReader: IReleaseReader | undefined;

/**
 * Replaces where PlatformDeployment reads release files when the program gives no `releaseReader` of its own (the
 * testing entry serves its shipped fixtures this way); `undefined` restores the default (pins checked; a local
 * folder, the cache or HTTPS).
 */
export function setDefaultReleaseReader(reader: IReleaseReader | undefined): void {
  defaultReleaseReader = reader;
}

/** The reader set with setDefaultReleaseReader, if any. */
export function overriddenReleaseReader(): IReleaseReader | undefined {
  return defaultReleaseReader;
}

/** The environment variable naming the download cache. */
export const RELEASE_CACHE_ENV = 'PLATFORM_BLUEPRINTS_RELEASE_CACHE';

/** A release file's pin: its sha256, or why it has none. */
export interface ReleasePin {
  /** The pinned release, e.g. `knative-serving@1.22.1`. */
  readonly release: string;
  readonly sha256?: string;
  /** Why the file is not pinned (upstream.yaml `unpinned`). */
  readonly unpinned?: string;
}

/**
 * A release file refused: not pinned, other bytes than pinned, not found, or not the file the install expects. A
 * Pulumi RunError: `pulumi up` prints its message without a stack trace.
 */
export class ReleaseFileError extends pulumi.RunError {
  public constructor(message: string) {
    super(message);
    this.name = 'ReleaseFileError';
  }
}

export interface ReleaseFileOptions {
  /**
   * A folder holding the release files by file name (`serving-crds.yaml`, `cert-manager.yaml`, ...), for clusters
   * without internet access. Each file is checked against its pin like a download.
   * @default - none: the cache, then the release URL
   */
  readonly dir?: string;
  /**
   * Where downloaded release files are kept, checked again on every read.
   * @default `$PLATFORM_BLUEPRINTS_RELEASE_CACHE`, else `$XDG_CACHE_HOME/platform-blueprints/releases` (`~/.cache/...`)
   */
  readonly cacheDir?: string;
  /**
   * sha256 pins by URL (64 lowercase hex digits), besides upstream.yaml's: for files it does not pin (other
   * versions, the files it lists as not pinned yet). A pin of a file upstream.yaml pins otherwise is refused.
   * @default - none
   */
  readonly extraPins?: { [url: string]: string };
  /**
   * Read files that have no pin, trusting the first download of each (cached with its sha256 recorded; later reads
   * must match it; a warning with the sha256 on every read). Pinned files are checked all the same.
   * @default false
   */
  readonly allowUnpinned?: boolean;
  /** How a file is downloaded. @default - global `fetch` */
  readonly download?: (url: string) => Promise<Uint8Array>;
  /** Where the warning about a file read without a pin goes. @default pulumi.log.warn */
  readonly warn?: (message: string) => void;
}

/** The pins of upstream.yaml, by URL. */
export function releasePins(): { [url: string]: ReleasePin } {
  const pins: { [url: string]: ReleasePin } = {};
  for (const r of Object.values(PINNED_RELEASES)) {
    for (const [role, url] of Object.entries(r.artifacts)) {
      pins[url] = { release: `${r.name}@${r.version}`, sha256: r.sha256?.[role], unpinned: r.sha256?.[role] ? undefined : r.unpinned };
    }
  }
  return pins;
}

export function defaultReleaseCacheDir(): string {
  const fromEnv = process.env[RELEASE_CACHE_ENV];
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'platform-blueprints', 'releases');
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Where a URL's file sits in the cache: its host and path. */
export function cachePath(cacheDir: string, url: string): string {
  const { host, pathname } = new URL(url);
  const parts = [host, ...pathname.split('/').filter((p) => p !== '')];
  if (parts.some((p) => p === '..' || p === '.')) throw new ReleaseFileError(`${url}: not a release file URL`);
  return path.join(cacheDir, ...parts);
}

/**
 * The name a release file has in a local folder (the `dir` option): the last segment of its URL, except where
 * upstream.yaml pins several files of that name (Tekton Pipelines' and Triggers' are both `release.yaml`): those are
 * `<release>-<name>`, e.g. `tekton-pipelines-release.yaml` and `tekton-triggers-release.yaml`.
 */
export function localFileName(url: string): string {
  const base = (u: string) => new URL(u).pathname.split('/').pop() as string;
  const name = base(url);
  const owners = Object.values(PINNED_RELEASES).flatMap((r) => Object.values(r.artifacts).filter((a) => /^https:\/\//.test(a) && base(a) === name).map((a) => ({ r, a })));
  if (owners.length < 2) return name;
  const owner = owners.find((o) => o.a === url);
  return owner ? `${owner.r.name}-${name}` : name;
}

async function httpsDownload(url: string): Promise<Uint8Array> {
  const response = await fetch(url).catch((err: Error & { cause?: { code?: string } }) => {
    throw new ReleaseFileError(`GET ${url}: ${err.message}${err.cause?.code ? ` (${err.cause.code})` : ''}; without internet access, ` +
      'put the release files in a folder and set knativeManifestsDir (the `dir` option)');
  });
  if (!response.ok) throw new ReleaseFileError(`GET ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * upstream.yaml's pins with the extra ones: each must be a sha256 (64 lowercase hex digits, as `sha256sum` prints
 * it), and may not contradict upstream.yaml's pin of the same file (which of the two would be the release?).
 */
function withExtraPins(pins: { [url: string]: ReleasePin }, extra: { [url: string]: string }): { [url: string]: ReleasePin } {
  const all = { ...pins };
  for (const [url, sha] of Object.entries(extra)) {
    if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) {
      throw new ReleaseFileError(`extraPins: the pin of ${url} (${JSON.stringify(sha)}) is not a sha256; give its 64 lowercase hex digits (sha256sum <file>)`);
    }
    const upstream = pins[url];
    if (upstream?.sha256 !== undefined && upstream.sha256 !== sha) {
      throw new ReleaseFileError(`extraPins: ${url} is pinned to ${sha}, but upstream.yaml pins it (${upstream.release}) to ${upstream.sha256}; ` +
        'drop the extra pin, or change upstream.yaml\'s (npm run releases:pin) if the release file really changed');
    }
    all[url] = { release: upstream ? `extraPins, for ${upstream.release}` : 'extraPins', sha256: sha };
  }
  return all;
}

/** Reads release files with their integrity checked (see the module comment). */
export function manifestReader(dir?: string, options: ReleaseFileOptions = {}): ManifestReader {
  const folder = dir ?? options.dir;
  const cacheDir = options.cacheDir ?? defaultReleaseCacheDir();
  const download = options.download ?? httpsDownload;
  const pins = withExtraPins(releasePins(), options.extraPins ?? {});
  const warn = options.warn ?? ((message: string) => void pulumi.log.warn(message));
  return async (url: string) => {
    const pin: ReleasePin | undefined = pins[url];
    const expected = pin?.sha256;
    if (!expected && !options.allowUnpinned) {
      const why = pin ? `upstream.yaml does not pin ${pin.release} yet: ${pin.unpinned}` : 'upstream.yaml pins no such release file (only the versions it lists)';
      throw new ReleaseFileError(`${url}: refused, its bytes cannot be checked (${why}). Pin it (npm run releases:pin, or the extraPins option), ` +
        'or trust its first download (its sha256 recorded, later reads checked against it) with `pulumi config set platform-blueprints:allowUnpinnedReleases true` ' +
        '(the allowUnpinned option)');
    }
    const check = (data: Uint8Array, source: string, fix: string): string => {
      const actual = sha256(data);
      if (expected && actual !== expected) {
        throw new ReleaseFileError(`${source} is not the release file ${url}: sha256 ${actual}, pinned ${expected} (${pin!.release}); ${fix}`);
      }
      return Buffer.from(data).toString('utf8');
    };
    if (folder) {
      const file = path.join(folder, localFileName(url));
      if (!fs.existsSync(file)) throw new ReleaseFileError(`${file} not found: the local release folder must hold ${path.basename(file)} (the file of ${url})`);
      const data = fs.readFileSync(file);
      const text = check(data, file, 'put the released file there, unchanged');
      if (!expected) warn(`${url}: not pinned (allowUnpinnedReleases); read from ${file} as it is: sha256 ${sha256(data)}; ${pinAdvice(url, sha256(data))}`);
      return text;
    }
    const cached = cachePath(cacheDir, url);
    if (!expected) return trustOnFirstUse(url, cached, download, warn);
    if (fs.existsSync(cached)) return check(fs.readFileSync(cached), `the cached ${cached}`, 'delete it to download the file again');
    const data = await download(url);
    const text = check(data, `GET ${url}`, 'the download is not what was released; try again later or check the URL');
    writeAtomically(cached, data);
    return text;
  };
}

function writeAtomically(file: string, data: Uint8Array | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, data);
  fs.renameSync(partial, file);
}

function pinAdvice(url: string, sha: string): string {
  return `pin it to have it checked everywhere: npm run releases:pin (where GitHub is reachable), or extraPins: { "${url}": "${sha}" }`;
}

/** Where the sha256 of an unpinned file trusted on first use is recorded: beside its cached copy. */
export function trustRecordPath(cacheDir: string, url: string): string {
  return `${cachePath(cacheDir, url)}.sha256`;
}

/**
 * An unpinned file, trusted on first use (see the module comment): the recorded sha256 decides what every later
 * read may be.
 */
async function trustOnFirstUse(url: string, cached: string, download: (url: string) => Promise<Uint8Array>, warn: (m: string) => void): Promise<string> {
  const record = `${cached}.sha256`;
  let recorded: string | undefined;
  if (fs.existsSync(record)) {
    recorded = fs.readFileSync(record, 'utf8').split(/\s+/)[0];
    if (!/^[0-9a-f]{64}$/.test(recorded)) {
      throw new ReleaseFileError(`${record} holds no sha256 (${JSON.stringify(recorded.slice(0, 80))}); delete it and the cached file to trust a new download of ${url}`);
    }
  }
  if (recorded !== undefined && fs.existsSync(cached)) {
    const data = fs.readFileSync(cached);
    const actual = sha256(data);
    if (actual !== recorded) {
      throw new ReleaseFileError(`the cached ${cached} is not the copy of ${url} trusted on first use: sha256 ${actual}, recorded ${recorded} in ${record}; ` +
        'delete the cached file to download it again (the download is checked against the record)');
    }
    warn(`${url}: not pinned (allowUnpinnedReleases); read from the cache, the copy trusted on first use: sha256 ${recorded}; ${pinAdvice(url, recorded)}`);
    return Buffer.from(data).toString('utf8');
  }
  const data = await download(url);
  const actual = sha256(data);
  if (recorded !== undefined && actual !== recorded) {
    throw new ReleaseFileError(`GET ${url} is not the file trusted on first use: sha256 ${actual}, recorded ${recorded} in ${record}; the release file changed ` +
      `upstream. If the new file is the release you want, pin it (npm run releases:pin, or extraPins: { "${url}": "${actual}" }), or delete ${record} to ` +
      'trust the new download');
  }
  writeAtomically(cached, data);
  if (recorded === undefined) writeAtomically(record, `${actual}  ${path.basename(cached)}\n`);
  warn(`${url}: not pinned (allowUnpinnedReleases); ${recorded === undefined ? 'downloaded and trusted on first use' : 'downloaded again, the bytes trusted on first use'}: ` +
    `sha256 ${actual}, recorded in ${record} (every later read must match it); ${pinAdvice(url, actual)}`);
  return Buffer.from(data).toString('utf8');
}
