/**
 * The release files' integrity: pinned by sha256 in upstream.yaml, checked wherever the bytes come from (a local
 * folder, the cache, a download), cached once checked. Nothing here touches the network: downloads are served from
 * the real files of ../shared/releases.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { mockPulumi } from '../support/pulumi';
import { releaseFileOf, sharedReleaseFile } from '../support/knative-release';

mockPulumi();
import { CATALOG_FILE, loadReleases, unpinnedReleaseFiles, withReleasePins } from '../../scripts/lib/upstream';
import { ReleaseFileError, cachePath, localFileName, manifestReader, releasePins, trustRecordPath } from '../../src/pulumi/release-files';
import { knativeServingManifestUrls } from '../../src/pulumi/knative-serving';
import { eventingManifestUrls } from '../../src/pulumi/knative-eventing';
import { readConfig } from '../../src/pulumi/config';
import { runProgram } from '../../src/pulumi/program';
import * as pulumi from '@pulumi/pulumi';
import * as pulumiRuntimeResource from '@pulumi/pulumi/runtime/resource';

const SERVING_CORE = 'https://github.com/knative/serving/releases/download/knative-v1.22.1/serving-core.yaml';
const KOURIER = 'https://github.com/knative-extensions/net-kourier/releases/download/knative-v1.22.1/kourier.yaml';
const CERT_MANAGER = 'https://github.com/cert-manager/cert-manager/releases/download/v1.18.2/cert-manager.yaml';
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `pb-${prefix}-`));
const noNetwork = async (url: string): Promise<Uint8Array> => {
  throw new Error(`test must not download ${url}`);
};

/** A local release folder (the `knativeManifestsDir` layout: files by name) holding the real files, optionally changed. */
function releaseFolder(tamper: { [file: string]: (text: string) => string } = {}): string {
  const dir = tmp('release-dir');
  for (const url of [...Object.values(knativeServingManifestUrls('1.22.1', '1.22.1')), ...Object.values(eventingManifestUrls())]) {
    const name = url.split('/').pop() as string;
    const text = fs.readFileSync(releaseFileOf(url), 'utf8');
    fs.writeFileSync(path.join(dir, name), tamper[name] ? tamper[name](text) : text);
  }
  return dir;
}

describe('the pins', () => {
  test('every pinned file of ../shared/releases has exactly the bytes upstream.yaml pins', () => {
    const pins = releasePins();
    const shared = Object.keys(pins).filter((url) => sharedReleaseFile(url));
    expect(shared).toHaveLength(7);
    for (const url of shared) expect({ url, sha256: sha256(fs.readFileSync(sharedReleaseFile(url)!)) }).toEqual({ url, sha256: pins[url].sha256 });
    // Those not available here are recorded as not pinned yet, with the reason.
    expect(unpinnedReleaseFiles().map(localFileName)).toEqual([
      'rabbitmq-broker.yaml', 'cert-manager.yaml', 'cluster-operator.yml', 'messaging-topology-operator-with-certmanager.yaml',
      'tekton-pipelines-release.yaml', 'tekton-triggers-release.yaml', 'interceptors.yaml', 'kratix.yaml',
    ]);
    expect(pins[CERT_MANAGER].unpinned).toMatch(/could not be fetched where the pins were computed/);
  });

  test('upstream.yaml refuses a release file with neither a pin nor a reason, a malformed pin, and a pin of no artifact', () => {
    const text = fs.readFileSync(CATALOG_FILE, 'utf8');
    const load = (changed: string) => {
      const file = path.join(tmp('catalog'), 'upstream.yaml');
      fs.writeFileSync(file, changed);
      return () => loadReleases(file);
    };
    expect(load(text.replace(/\n {4}unpinned: [^\n]*\n(?= {2}- name: cert-manager)/, '\n'))).toThrow(
      /release eventing-rabbitmq does not pin broker; add their sha256 \(npm run releases:pin\), or say why not in `unpinned`/);
    expect(load(text.replace('kourier: d92bd38f', 'kourier: D92BD38F'))).toThrow(/release net-kourier pins kourier with "D92BD38F.*"; give the 64 hex digits of its sha256/);
    expect(load(text.replace('      kourier: d92bd38f', '      kourrier: d92bd38f'))).toThrow('release net-kourier pins sha256 of kourrier, which is not one of its artifacts');
  });

  test('`npm run releases:pin` writes a downloaded file\'s sha256 into upstream.yaml, keeps its comments, and drops `unpinned` once a release is whole', () => {
    const text = fs.readFileSync(CATALOG_FILE, 'utf8');
    const pinned = withReleasePins(text, { [CERT_MANAGER]: 'a'.repeat(64) });
    const file = path.join(tmp('catalog'), 'upstream.yaml');
    fs.writeFileSync(file, pinned);
    const certManager = loadReleases(file).find((r) => r.name === 'cert-manager')!;
    expect([certManager.sha256, certManager.unpinned]).toEqual([{ manifest: 'a'.repeat(64) }, undefined]);
    expect(unpinnedReleaseFiles(loadReleases(file))).toHaveLength(7);
    expect(pinned).toContain('# `sha256` pins the bytes of each release file the Pulumi program reads');
    expect(() => withReleasePins(text, { [CERT_MANAGER]: 'nope' })).toThrow(`${CERT_MANAGER}: "nope" is not a sha256`);
  });
});

describe('manifestReader', () => {
  test('reads a local folder (knativeManifestsDir) and checks every file: the real files pass, a changed one is refused', async () => {
    const dir = releaseFolder({ 'serving-core.yaml': (t) => t.replace('image: gcr.io/knative-releases', 'image: evil.example/knative-releases') });
    const read = manifestReader(dir, { cacheDir: tmp('cache'), download: noNetwork });
    expect(await read(KOURIER)).toBe(fs.readFileSync(path.join(dir, 'kourier.yaml'), 'utf8'));
    const refused = read(SERVING_CORE);
    await expect(refused).rejects.toBeInstanceOf(ReleaseFileError);
    await expect(refused).rejects.toThrow(new RegExp(`^${path.join(dir, 'serving-core.yaml')} is not the release file ${SERVING_CORE}: ` +
      `sha256 [0-9a-f]{64}, pinned aafb2bfd722ad184d0d0dacf1f55cedc388827ed81c94312f4df71e5eccb5ae1 \\(knative-serving@1\\.22\\.1\\); put the released file there, unchanged$`));
    await expect(manifestReader(tmp('empty'))(KOURIER)).rejects.toThrow(/kourier\.yaml not found: the local release folder must hold kourier\.yaml/);
  });

  test('downloads once: a checked download is cached (laid out like the URL) and read from there; a changed cache or download is refused', async () => {
    const cacheDir = tmp('cache');
    const downloads: string[] = [];
    const download = async (url: string) => {
      downloads.push(url);
      return fs.readFileSync(releaseFileOf(url));
    };
    const read = manifestReader(undefined, { cacheDir, download });
    const first = await read(KOURIER);
    expect(await read(KOURIER)).toBe(first);
    expect(downloads).toEqual([KOURIER]);
    const cached = cachePath(cacheDir, KOURIER);
    expect(cached).toBe(path.join(cacheDir, 'github.com/knative-extensions/net-kourier/releases/download/knative-v1.22.1/kourier.yaml'));
    expect(fs.readFileSync(cached)).toEqual(fs.readFileSync(releaseFileOf(KOURIER)));
    fs.appendFileSync(cached, '# changed\n');
    await expect(read(KOURIER)).rejects.toThrow(new RegExp(`^the cached ${cached} is not the release file ${KOURIER}: .*; delete it to download the file again$`));
    const tampered = manifestReader(undefined, { cacheDir: tmp('cache'), download: async () => Buffer.from('kind: Namespace\n') });
    await expect(tampered(SERVING_CORE)).rejects.toThrow(`GET ${SERVING_CORE} is not the release file ${SERVING_CORE}: sha256 ${sha256('kind: Namespace\n')}`);
    expect(fs.readdirSync(cacheDir)).toEqual(['github.com']);
  });

  test('a file without a pin is refused, saying why and how to proceed', async () => {
    const cacheDir = tmp('cache');
    const fixture = async (url: string) => fs.readFileSync(releaseFileOf(url));
    await expect(manifestReader(undefined, { cacheDir, download: fixture })(CERT_MANAGER)).rejects.toThrow(
      `${CERT_MANAGER}: refused, its bytes cannot be checked (upstream.yaml does not pin cert-manager@1.18.2 yet: the release file could not be fetched where the ` +
      'pins were computed (no route to github.com); run `npm run releases:pin` where it can be). Pin it (npm run releases:pin, or the extraPins option), ' +
      'or trust its first download (its sha256 recorded, later reads checked against it) with `pulumi config set platform-blueprints:allowUnpinnedReleases true` ' +
      '(the allowUnpinned option)');
    const other = 'https://github.com/knative/serving/releases/download/knative-v1.21.0/serving-core.yaml';
    await expect(manifestReader(undefined, { cacheDir, download: noNetwork })(other)).rejects.toThrow('upstream.yaml pins no such release file (only the versions it lists)');
    // Allowing unpinned files does not lift the check of pinned ones.
    await expect(manifestReader(releaseFolder({ 'kourier.yaml': (t) => `${t}\n` }), { allowUnpinned: true })(KOURIER)).rejects.toThrow(/is not the release file/);
    // A pin of one's own (another version, a private mirror) is checked like upstream.yaml's.
    const own = manifestReader(undefined, { cacheDir, download: async () => Buffer.from('x'), extraPins: { [other]: sha256('x') } });
    expect(await own(other)).toBe('x');
  });
});

describe('an unpinned file, allowed: trusted on first use', () => {
  /** A fake upstream (no network): serves the given bytes, counting downloads. */
  function upstream(initial: Buffer) {
    const state = { bytes: initial, downloads: 0 };
    return { state, download: async () => {
      state.downloads++;
      return state.bytes;
    } };
  }
  const original = fs.readFileSync(releaseFileOf(CERT_MANAGER));
  const changed = Buffer.concat([original, Buffer.from('# a change upstream\n')]);
  const pinHint = (sha: string) => `pin it to have it checked everywhere: npm run releases:pin (where GitHub is reachable), or extraPins: { "${CERT_MANAGER}": "${sha}" }`;

  test('the first download is cached with its sha256 recorded beside it (sha256sum format), and the warning prints the sha256 and how to pin it', async () => {
    const cacheDir = tmp('cache');
    const { state, download } = upstream(original);
    const warnings: string[] = [];
    const read = manifestReader(undefined, { cacheDir, download, allowUnpinned: true, warn: (m) => warnings.push(m) });
    expect(await read(CERT_MANAGER)).toBe(original.toString('utf8'));
    const record = trustRecordPath(cacheDir, CERT_MANAGER);
    expect(record).toBe(`${cachePath(cacheDir, CERT_MANAGER)}.sha256`);
    expect(fs.readFileSync(record, 'utf8')).toBe(`${sha256(original)}  cert-manager.yaml\n`);
    expect(fs.readFileSync(cachePath(cacheDir, CERT_MANAGER))).toEqual(original);
    expect(warnings).toEqual([`${CERT_MANAGER}: not pinned (allowUnpinnedReleases); downloaded and trusted on first use: sha256 ${sha256(original)}, recorded in ` +
      `${record} (every later read must match it); ${pinHint(sha256(original))}`]);
    // Later reads (the next preview) come from the cache: no download, checked against the record.
    expect(await read(CERT_MANAGER)).toBe(original.toString('utf8'));
    expect(state.downloads).toBe(1);
    expect(warnings[1]).toBe(`${CERT_MANAGER}: not pinned (allowUnpinnedReleases); read from the cache, the copy trusted on first use: sha256 ${sha256(original)}; ` +
      pinHint(sha256(original)));
  });

  test('a file that changed upstream is refused with both hashes and how to pin it; so is a changed cached copy', async () => {
    const cacheDir = tmp('cache');
    const { state, download } = upstream(original);
    const read = manifestReader(undefined, { cacheDir, download, allowUnpinned: true, warn: () => undefined });
    await read(CERT_MANAGER);
    const cached = cachePath(cacheDir, CERT_MANAGER);
    const record = trustRecordPath(cacheDir, CERT_MANAGER);
    // The cached copy edited: refused against the record.
    fs.appendFileSync(cached, '# edited\n');
    await expect(read(CERT_MANAGER)).rejects.toThrow(new ReleaseFileError(`the cached ${cached} is not the copy of ${CERT_MANAGER} trusted on first use: ` +
      `sha256 ${sha256(Buffer.concat([original, Buffer.from('# edited\n')]))}, recorded ${sha256(original)} in ${record}; delete the cached file to download it ` +
      'again (the download is checked against the record)'));
    // Deleted, it is downloaded again — and upstream has changed in between: refused, the record kept.
    fs.rmSync(cached);
    state.bytes = changed;
    await expect(read(CERT_MANAGER)).rejects.toThrow(new ReleaseFileError(`GET ${CERT_MANAGER} is not the file trusted on first use: sha256 ${sha256(changed)}, ` +
      `recorded ${sha256(original)} in ${record}; the release file changed upstream. If the new file is the release you want, pin it (npm run releases:pin, ` +
      `or extraPins: { "${CERT_MANAGER}": "${sha256(changed)}" }), or delete ${record} to trust the new download`));
    expect(fs.existsSync(cached)).toBe(false);
    expect(fs.readFileSync(record, 'utf8')).toContain(sha256(original));
    // Upstream back to the trusted bytes: downloaded again and accepted.
    state.bytes = original;
    const warnings: string[] = [];
    expect(await manifestReader(undefined, { cacheDir, download, allowUnpinned: true, warn: (m) => warnings.push(m) })(CERT_MANAGER)).toBe(original.toString('utf8'));
    expect(warnings[0]).toContain('downloaded again, the bytes trusted on first use: sha256 ' + sha256(original));
    // A record that holds no sha256 is refused rather than trusted.
    fs.writeFileSync(record, 'garbage\n');
    await expect(read(CERT_MANAGER)).rejects.toThrow(`${record} holds no sha256 ("garbage"); delete it and the cached file to trust a new download of ${CERT_MANAGER}`);
  });

  test('from a local folder an unpinned file is read as it is, with the warning and its sha256; a pin given later is checked', async () => {
    const dir = releaseFolder();
    fs.copyFileSync(releaseFileOf(CERT_MANAGER), path.join(dir, 'cert-manager.yaml'));
    const warnings: string[] = [];
    const read = manifestReader(dir, { cacheDir: tmp('cache'), download: noNetwork, allowUnpinned: true, warn: (m) => warnings.push(m) });
    expect(await read(CERT_MANAGER)).toBe(original.toString('utf8'));
    expect(warnings).toEqual([`${CERT_MANAGER}: not pinned (allowUnpinnedReleases); read from ${path.join(dir, 'cert-manager.yaml')} as it is: ` +
      `sha256 ${sha256(original)}; ${pinHint(sha256(original))}`]);
    await expect(manifestReader(dir, { extraPins: { [CERT_MANAGER]: sha256(changed) } })(CERT_MANAGER)).rejects.toThrow(/is not the release file/);
  });
});

describe('extraPins', () => {
  test('a pin must be a sha256 (64 lowercase hex digits); one contradicting upstream.yaml\'s pin of the file is refused; the same pin again is fine', async () => {
    expect(() => manifestReader(undefined, { extraPins: { [CERT_MANAGER]: 'A'.repeat(64) } })).toThrow(new ReleaseFileError(
      `extraPins: the pin of ${CERT_MANAGER} ("${'A'.repeat(64)}") is not a sha256; give its 64 lowercase hex digits (sha256sum <file>)`));
    expect(() => manifestReader(undefined, { extraPins: { [CERT_MANAGER]: 'a'.repeat(63) } })).toThrow(/is not a sha256/);
    expect(() => manifestReader(undefined, { extraPins: { [CERT_MANAGER]: ` ${'a'.repeat(64)}` } })).toThrow(/is not a sha256/);
    const upstream = releasePins()[KOURIER].sha256!;
    expect(upstream).toMatch(/^[0-9a-f]{64}$/);
    expect(() => manifestReader(undefined, { extraPins: { [KOURIER]: 'b'.repeat(64) } })).toThrow(new ReleaseFileError(
      `extraPins: ${KOURIER} is pinned to ${'b'.repeat(64)}, but upstream.yaml pins it (net-kourier@1.22.1) to ${upstream}; drop the extra pin, ` +
      'or change upstream.yaml\'s (npm run releases:pin) if the release file really changed'));
    const same = manifestReader(undefined, { cacheDir: tmp('cache'), download: async (url) => fs.readFileSync(releaseFileOf(url)), extraPins: { [KOURIER]: upstream } });
    expect(await same(KOURIER)).toBe(fs.readFileSync(releaseFileOf(KOURIER), 'utf8'));
  });

  test('a pin of a file upstream.yaml does not pin yet makes it checked like a pinned one (no allowUnpinned needed, no warning)', async () => {
    const text = fs.readFileSync(releaseFileOf(CERT_MANAGER));
    const warnings: string[] = [];
    const pinned = manifestReader(undefined, { cacheDir: tmp('cache'), download: async () => text, extraPins: { [CERT_MANAGER]: sha256(text) }, warn: (m) => warnings.push(m) });
    expect(await pinned(CERT_MANAGER)).toBe(text.toString('utf8'));
    expect(warnings).toEqual([]);
    const wrong = manifestReader(undefined, { cacheDir: tmp('cache'), download: async () => Buffer.concat([text, Buffer.from('\n')]), extraPins: { [CERT_MANAGER]: sha256(text) } });
    await expect(wrong(CERT_MANAGER)).rejects.toThrow(new RegExp(`^GET ${CERT_MANAGER} is not the release file ${CERT_MANAGER}: sha256 [0-9a-f]{64}, pinned ${sha256(text)} \\(extraPins, for cert-manager@1\\.18\\.2\\)`));
  });
});

describe('the program with a changed release file', () => {
  test('knativeManifestsDir is checked: a tampered file fails the program, before anything registers, with the file, the URL and both hashes', async () => {
    const dir = releaseFolder({ 'eventing-core.yaml': (t) => t.replace('namespace: knative-eventing', 'namespace: knative-eventing-x') });
    pulumi.runtime.setAllConfig({
      'platform-blueprints:knativeManifestsDir': dir, 'platform-blueprints:allowUnpinnedReleases': 'true',
      'platform-blueprints:namespace': 'tampered', 'platform-blueprints:eventsNamespace': 'tampered-events',
    });
    const config = readConfig(new pulumi.Config('platform-blueprints'));
    expect([config.knativeManifestsDir, config.allowUnpinnedReleases]).toEqual([dir, true]);
    // The fixtures of the unpinned files sit beside the real files, as a user's folder would hold the real ones.
    for (const url of Object.values(eventingManifestUrls()).filter((u) => !sharedReleaseFile(u))) {
      fs.copyFileSync(releaseFileOf(url), path.join(dir, url.split('/').pop() as string));
    }
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    const registered = jest.spyOn(pulumiRuntimeResource, 'registerResource');
    await expect(runProgram({ config })).rejects.toThrow(new RegExp(`^${path.join(dir, 'eventing-core.yaml')} is not the release file ` +
      'https://github.com/knative/eventing/releases/download/knative-v1.22.2/eventing-core.yaml: sha256 [0-9a-f]{64}, pinned 3b8e297c'));
    // Every file is read before anything registers: a refused file installs nothing.
    expect(registered).not.toHaveBeenCalled();
    registered.mockRestore();
    expect(warn.mock.calls.map((c) => String(c[0]).split(': ')[0])).toEqual(expect.arrayContaining([CERT_MANAGER]));
    warn.mockRestore();
  });
});
