/**
 * `platform-blueprints/testing`: run a Pulumi program that uses this library under Pulumi's mocks, offline, and
 * assert on what it registers.
 *
 * ```ts
 * import { runUnderMocks } from 'platform-blueprints/testing';
 * const run = await runUnderMocks(() => myProgram());
 * expect(run.get('kubernetes:serving.knative.dev/v1:Service', 'fx/games/score').dependsOn).toContain('knative-serving-core');
 * ```
 *
 * - Mocks (`pulumi.runtime.setMocks`) that report what the providers would once the objects are ready: a Knative
 *   Service its `status.url` (`http://<name>.<namespace>.<domain>`: the domain configured in the installed
 *   `config-domain`, else Knative's default `svc.cluster.local`), a Broker its `status.address.url` (by broker class,
 *   as eventing-rabbitmq and the channel-based broker address theirs), a RandomPassword a fixed result.
 * - Release files served from fixtures shipped in the package (fixtures/releases: every file PlatformDeployment's
 *   installs read, trimmed; see scripts/release-fixtures.ts for what is kept), instead of HTTPS, the cache or a local
 *   folder — whatever reader settings the program uses, unless it passes its own `releaseReader`.
 * - Every registration recorded as the engine receives it: type, name, inputs (secrets unwrapped, their paths listed
 *   in `secretInputs`), parent, dependencies (URNs and names), protect, retainOnDelete, replaceOnChanges,
 *   deleteBeforeReplace, custom timeouts.
 * - Errors surfaced: the program's own (rejections included), and any rejection left unhandled while it ran (e.g. by
 *   a component that reads files after its constructor returned), reject `runUnderMocks` — they never kill the test
 *   process.
 *
 * Not a jsii module (it drives the Pulumi SDK, which is not one): TypeScript and JavaScript only.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as mocks from '@pulumi/pulumi/runtime/mocks';
import * as settings from '@pulumi/pulumi/runtime/settings';
import * as pulumiState from '@pulumi/pulumi/runtime/state';
import { IReleaseReader, ReleaseFileError, localFileName, setDefaultReleaseReader } from '../pulumi/release-files';

/** One resource registration, as the engine received it. */
export interface MockedRegistration {
  /** e.g. `kubernetes:serving.knative.dev/v1:Service` */
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** The inputs, secrets unwrapped (see secretInputs). */
  readonly inputs: any;
  /** Paths of the inputs that are Pulumi secrets, e.g. `stringData.password`. */
  readonly secretInputs: string[];
  readonly custom: boolean;
  /** URN of the parent ('' for the stack's children). */
  readonly parent: string;
  /** URNs this resource depends on (dependsOn and input dependencies). */
  readonly dependencies: string[];
  /** Names of the resources it depends on. */
  readonly dependsOn: string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Property paths whose change replaces the resource. */
  readonly replaceOnChanges: string[];
  readonly deleteBeforeReplace: boolean;
  /** customTimeouts.create, when set. */
  readonly createTimeout?: string;
  /** customTimeouts.update, when set. */
  readonly updateTimeout?: string;
  /** The resource transforms it registered: where the engine calls each back. */
  readonly transforms: Array<{ target: string; token: string }>;
}

/** Outputs a mocked resource reports besides its inputs (the provider's part), or undefined. */
export type MockState = (args: pulumi.runtime.MockResourceArgs) => { [key: string]: any } | undefined;

export interface MockOptions {
  /** @default 'platform-blueprints-test' */
  readonly project?: string;
  /** @default 'test' */
  readonly stack?: string;
  /** Run as `pulumi preview` (unknowns stay unknown). @default false */
  readonly preview?: boolean;
  /**
   * Stack configuration, by full key (`<namespace>:<key>`), as `pulumi config set` gives it.
   * @default - none
   */
  readonly config?: { [key: string]: string };
  /** Keys of `config` that are secrets (`pulumi config set --secret`). @default - none */
  readonly secretConfig?: string[];
  /**
   * Outputs of your own for the resources (merged over the library's: Knative Service URLs, Broker addresses,
   * RandomPassword results).
   * @default - the library's only
   */
  readonly state?: MockState;
  /**
   * Serve the release files from the shipped fixtures. Turn off to test a program that passes its own reader.
   * @default true
   */
  readonly releaseFixtures?: boolean;
}

/** The shipped release fixtures (fixtures/releases of the package). */
export function releaseFixturesDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'fixtures', 'releases');
    if (fs.existsSync(path.join(candidate, 'SOURCES.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`platform-blueprints/testing: no fixtures/releases above ${__dirname}; is the package installed whole?`);
  }
}

/**
 * Reads release files from the shipped fixtures: each URL an install reads at the pinned versions, trimmed (they
 * are not the released bytes, so no pin is checked). Another URL is refused with a ReleaseFileError.
 */
export function fixtureReleaseReader(): IReleaseReader {
  const dir = releaseFixturesDir();
  const sources: { [file: string]: string } = JSON.parse(fs.readFileSync(path.join(dir, 'SOURCES.json'), 'utf8'));
  return {
    read: async (url: string) => {
      const file = localFileName(url);
      if (sources[file] !== url) {
        throw new ReleaseFileError(`${url}: platform-blueprints/testing has no fixture of it (it ships the files of the pinned releases: ${Object.values(sources).length} URLs, see fixtures/releases/SOURCES.json)`);
      }
      return fs.readFileSync(path.join(dir, file), 'utf8');
    },
  };
}

const SECRET_SIG = pulumi.runtime.specialSigKey;

/**
 * The inputs with secrets unwrapped, and the paths of the secrets. Values without a secret are returned as they are
 * (a ConfigGroup's thousands of objects are not copied).
 */
function unwrapSecrets(value: any, at: string, secrets: string[]): any {
  if (!value || typeof value !== 'object') return value;
  if (value[SECRET_SIG] === pulumi.runtime.specialSecretSig) {
    secrets.push(at);
    return unwrapSecrets(value.value, at, []);
  }
  let copy: any;
  const entries: Array<[string, any]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [k, v] of entries) {
    const unwrapped = unwrapSecrets(v, Array.isArray(value) ? `${at}[${k}]` : at ? `${at}.${k}` : k, secrets);
    if (unwrapped === v) continue;
    copy ??= Array.isArray(value) ? [...value] : { ...value };
    copy[k] = unwrapped;
  }
  return copy ?? value;
}

/** The default domain of a Knative install among the registrations: the first unselective key of its config-domain. */
function knativeDomain(registrations: MockedRegistration[]): string {
  for (const r of registrations) {
    if (r.type !== 'kubernetes:yaml/v2:ConfigGroup') continue;
    const configDomain = (r.inputs?.objs ?? []).find((o: any) => o?.kind === 'ConfigMap' && o.metadata?.name === 'config-domain' && o.metadata?.namespace === 'knative-serving');
    const domain = Object.entries(configDomain?.data ?? {}).find(([k, v]) => !k.startsWith('_') && String(v).trim() === '')?.[0];
    if (domain) return domain;
  }
  return 'svc.cluster.local';
}

const awaited = (inputs: any, condition: string) => inputs?.metadata?.annotations?.['pulumi.com/waitFor'] === `condition=${condition}`;

/** What the providers report for the library's resources once they are ready (see the module comment). */
function libraryState(args: pulumi.runtime.MockResourceArgs, registrations: MockedRegistration[]): { [key: string]: any } | undefined {
  const meta = args.inputs?.metadata;
  if (args.type === 'random:index/randomPassword:RandomPassword') return { result: `mock-password-${args.name.replace(/[^A-Za-z0-9]/g, '-')}` };
  // Status only when the deployment waited for Ready, as the provider returns it then.
  if (args.type === 'kubernetes:serving.knative.dev/v1:Service' && awaited(args.inputs, 'Ready')) {
    const local = meta.labels?.['networking.knative.dev/visibility'] === 'cluster-local';
    return { status: { url: `http://${meta.name}.${meta.namespace}.${local ? 'svc.cluster.local' : knativeDomain(registrations)}`, conditions: [{ type: 'Ready', status: 'True' }] } };
  }
  if (args.type === 'kubernetes:eventing.knative.dev/v1:Broker' && awaited(args.inputs, 'Ready')) {
    // eventing-rabbitmq gives each broker an ingress of its own; the channel-based broker shares one, by path.
    const url = meta.annotations?.['eventing.knative.dev/broker.class'] === 'RabbitMQBroker'
      ? `http://${meta.name}-broker-ingress.${meta.namespace}.svc.cluster.local`
      : `http://broker-ingress.knative-eventing.svc.cluster.local/${meta.namespace}/${meta.name}`;
    return { status: { address: { url }, conditions: [{ type: 'Ready', status: 'True' }] } };
  }
  return undefined;
}

/** The mock monitor, recording each registration request before answering it as the SDK's MockMonitor does. */
class RecordingMonitor extends mocks.MockMonitor {
  public constructor(mocked: pulumi.runtime.Mocks, private readonly registrations: MockedRegistration[]) {
    super(mocked);
  }

  public async registerResource(req: any, callback: (err: any, res: any) => void): Promise<void> {
    return super.registerResource(req, (err: any, res: any) => {
      if (!err) {
        const secretInputs: string[] = [];
        const dependencies: string[] = req.getDependenciesList();
        this.registrations.push({
          type: req.getType(),
          name: req.getName(),
          urn: res.getUrn(),
          inputs: unwrapSecrets(req.getObject()?.toJavaScript(), '', secretInputs),
          secretInputs,
          custom: req.getCustom(),
          parent: req.getParent(),
          dependencies,
          dependsOn: dependencies.map((urn) => urn.split('::').pop() as string),
          protect: req.getProtect() === true,
          retainOnDelete: req.getRetainondelete() === true,
          replaceOnChanges: req.getReplaceonchangesList(),
          deleteBeforeReplace: req.getDeletebeforereplace() === true,
          createTimeout: req.getCustomtimeouts()?.getCreate() || undefined,
          updateTimeout: req.getCustomtimeouts()?.getUpdate() || undefined,
          transforms: req.getTransformsList().map((c: any) => ({ target: c.getTarget(), token: c.getToken() })),
        });
      }
      callback(err, res);
    });
  }
}

/** Registrations of a mocked run, with look-ups. */
export class MockedPulumi {
  /**
   * Sets Pulumi's mocks for this process (as `pulumi.runtime.setMocks` does, with resource transforms accepted as
   * the engine accepts them) and starts recording; serves the shipped release fixtures unless told otherwise.
   * Resources registered after this are recorded; call before the program (or module) that registers them.
   */
  public static start(options: MockOptions = {}): MockedPulumi {
    const mocked = new MockedPulumi();
    const own = options.state ?? (() => undefined);
    const monitor = new RecordingMonitor({
      newResource: (args) => ({
        id: `${args.name}-id`,
        state: { ...args.inputs, ...libraryState(args, mocked.registrations), ...own(args) },
      }),
      call: (args) => args.inputs,
    }, mocked.registrations);
    if (options.config) pulumi.runtime.setAllConfig(options.config, options.secretConfig);
    settings.setMockOptions(monitor, options.project ?? 'platform-blueprints-test', options.stack ?? 'test', options.preview ?? false);
    // The features setMocks turns on, and transforms (the engine runs them; the SDK's MockMonitor reports them unsupported).
    const store: any = (pulumiState as any).getStore();
    Object.assign(store, {
      supportsSecrets: true, supportsResourceReferences: true, supportsOutputValues: false, supportsDeletedWith: true,
      supportsAliasSpecs: true, supportsTransforms: true, supportsParameterization: true,
    });
    setDefaultReleaseReader(options.releaseFixtures === false ? undefined : fixtureReleaseReader());
    return mocked;
  }

  /** Every registration so far, in the order the engine answered them. */
  public readonly registrations: MockedRegistration[] = [];

  private constructor() {}

  /** The one registration of a type and name (fails when there is none, or several). */
  public get(type: string, name: string): MockedRegistration {
    const found = this.registrations.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} ${name}, found ${found.length} (of ${this.registrations.length} registrations)`);
    return found[0];
  }

  /** Names of the resources a resource depends on. */
  public dependencyNames(type: string, name: string): string[] {
    return this.get(type, name).dependsOn;
  }

  /** The registrations whose parent is the named component (any type). */
  public childrenOf(componentType: string, name: string): MockedRegistration[] {
    const parent = this.get(componentType, name);
    return this.registrations.filter((r) => r.parent === parent.urn);
  }
}

/** What a program did under the mocks. */
export interface MockRun {
  /** The program's return value, every Output in it resolved (secrets unwrapped). */
  readonly outputs: any;
  readonly mocked: MockedPulumi;
  readonly registrations: MockedRegistration[];
  /** Messages the program logged with `pulumi.log.warn`. */
  readonly warnings: string[];
}

/** Resolves every Output in a value (under mocks none stays unknown, except in preview). */
async function resolved(value: any): Promise<any> {
  return new Promise((resolve, reject) => {
    try {
      pulumi.output(value).apply((v) => {
        resolve(v);
        return v;
      });
    } catch (e) {
      reject(e);
    }
  });
}

/**
 * Waits until the registrations started so far have been answered: the SDK's count of pending requests (internal,
 * so checked for), then until no registration arrives for a few turns of the event loop.
 */
async function settled(mocked: MockedPulumi): Promise<void> {
  const waitForRPCs: unknown = (settings as any).waitForRPCs;
  if (typeof waitForRPCs === 'function') await waitForRPCs();
  for (let quiet = 0, seen = -1; quiet < 3;) {
    await new Promise((r) => setTimeout(r, 0));
    quiet = mocked.registrations.length === seen ? quiet + 1 : 0;
    seen = mocked.registrations.length;
  }
}

/**
 * Runs a Pulumi program under the mocks (MockedPulumi.start with the options) and resolves to what it returned and
 * registered. Rejects with the program's error, or with the first rejection left unhandled while it ran.
 */
export async function runUnderMocks(program: () => any, options: MockOptions = {}): Promise<MockRun> {
  const mocked = MockedPulumi.start(options);
  const warnings: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => {
    unhandled.push(reason);
  };
  const log = pulumi.log as { warn: (message: string, resource?: pulumi.Resource) => Promise<void> };
  const warn = log.warn;
  log.warn = async (message: string) => {
    warnings.push(message);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const outputs = await resolved(await program());
    await settled(mocked);
    if (unhandled.length) throw unhandled[0];
    return { outputs, mocked, registrations: mocked.registrations, warnings };
  } finally {
    process.off('unhandledRejection', onUnhandled);
    log.warn = warn;
    setDefaultReleaseReader(undefined);
  }
}
