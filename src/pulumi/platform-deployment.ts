/**
 * PlatformDeployment: any cdk8s app deployed with Pulumi, with everything it needs installed first — derived from the
 * app's DeploymentPlan, never listed by hand:
 *
 * - which installs run: Knative Serving + kourier, the event stack (cert-manager, the RabbitMQ operators, Knative
 *   Eventing, eventing-rabbitmq), Tekton Pipelines and Triggers, Kratix with its single-cluster setup, Crossplane —
 *   each when the plan requires it (`plan.requires(ClusterInstall.X)`), unless the args say the cluster runs it
 *   already (`false`) or ask for it anyway (`true`);
 * - the Knative request-timeout ceiling (the plan's longest request timeout, at least Knative's 600 s);
 * - Tekton's one events sink per cluster: the app's TektonEventsSink, unless the args name another;
 * - the order: every object after the installs it needs and the objects it references (Cdk8sDeployment).
 *
 * Asynchronous by nature (release files are read, from a folder, the cache or HTTPS), so it is made with
 * `await PlatformDeployment.create(name, args)`: the platform policy runs, every release file is read, checked
 * against its pin and prepared, and the app's Namespaces are compared with the ones the installs create — all
 * before anything registers. A refusal rejects `create` with a clear error (ValidationError, ConfigError,
 * ReleaseFileError: all Pulumi RunErrors, which `pulumi up` prints without a stack trace); nothing is left to fail
 * later as an unhandled rejection.
 *
 * Typed outputs: `urlOf(function)` (a Knative Service's status.url), `addressOf(broker)` (a Broker's
 * status.address.url), `secretNameOf(store)` (the Secret holding a store's credentials, once it exists).
 */
import * as pulumi from '@pulumi/pulumi';
import { IConstruct } from 'constructs';
import {
  ClusterInstall, DeploymentPlan, IBroker, IHttpWorkload, IKeyValueStore, ObjectRef, PolicyOptions, TektonEventsSink, ValidationError,
} from '../../constructs';
import { invalid } from '../../constructs/core/errors';
import { Cdk8sDeployment } from './bridge';
import { ConfigError } from './config-error';
import { CROSSPLANE_NAMESPACE, CrossplaneInstall } from './crossplane';
import { DeclaredObjects } from './declared-objects';
import { KnativeEventing, eventingManifestUrls, prepareKnativeEventing } from './knative-eventing';
import { KNATIVE_SERVING_VERSION, KnativeServing, NET_KOURIER_VERSION, knativeServingManifestUrls, prepareKnativeServing } from './knative-serving';
import { KratixInstall, kratixManifestUrls, prepareKratix } from './kratix';
import { IReleaseReader, ReleaseFileError, localFileName, manifestReader, overriddenReleaseReader } from './release-files';
import { readManifests } from './release-install';
import { TektonInstall, prepareTekton, tektonEventsSink, tektonManifestUrls } from './tekton';

/** The installs of the event stack (one release set: any of them needed installs the stack). */
const EVENT_STACK = [ClusterInstall.CERT_MANAGER, ClusterInstall.RABBITMQ_CLUSTER_OPERATOR, ClusterInstall.RABBITMQ_TOPOLOGY_OPERATOR,
  ClusterInstall.KNATIVE_EVENTING, ClusterInstall.EVENTING_RABBITMQ, ClusterInstall.CHANNEL_BROKER];

export interface PlatformDeploymentArgs {
  /** Root of the cdk8s app (an App or a Chart): every object and DeployTimeSecret under it is deployed. */
  readonly app: IConstruct;
  /**
   * Install Knative Serving + kourier: true whatever the app deploys, false never (the cluster runs it).
   * @default - when the app deploys a Knative Service
   */
  readonly installKnative?: boolean;
  /**
   * Install the event stack (cert-manager, RabbitMQ cluster and topology operators, Knative Eventing,
   * eventing-rabbitmq; Knative's channel-based broker with the in-memory channel when the app has a channel broker or
   * this is true): true whatever the app deploys, false never (the cluster runs it, cert-manager included).
   * @default - when the app deploys an object one of them serves
   */
  readonly installEventing?: boolean;
  /**
   * Install Tekton Pipelines and Triggers (with the core interceptors): true whatever the app deploys, false never.
   * @default - when the app deploys a tekton.dev or triggers.tekton.dev object
   */
  readonly installTekton?: boolean;
  /**
   * Install Kratix with its single-cluster setup (cert-manager unless `installEventing` is false, Flux, MinIO, a
   * BucketStateStore and this cluster as the Destination `worker-1`): true whatever the app deploys, false never.
   * @default - when the app deploys a platform.kratix.io object
   */
  readonly installKratix?: boolean;
  /**
   * Install Crossplane from its pinned Helm chart: true whatever the app deploys, false never.
   * @default - when the app deploys a Crossplane object (platform APIs, claims)
   */
  readonly installCrossplane?: boolean;
  /**
   * How release files are read.
   * @default - checked against their pins (upstream.yaml): from `releasesDir`, else the download cache, else HTTPS
   *   (under `platform-blueprints/testing`: its shipped fixtures)
   */
  readonly releaseReader?: IReleaseReader;
  /**
   * A folder holding the release files by file name (`serving-core.yaml`, `cert-manager.yaml`, ...), for clusters
   * without internet access; each file is checked against its pin. Not used with `releaseReader`.
   * @default - the download cache, then the release URLs
   */
  readonly releasesDir?: string;
  /**
   * Read release files upstream.yaml does not pin (cert-manager, the RabbitMQ files, Tekton, Kratix), trusting the
   * first download of each (its sha256 recorded, later reads checked against it). Not used with `releaseReader`.
   * @default false
   */
  readonly allowUnpinnedReleases?: boolean;
  /**
   * Domain of public Knative Services (`<name>.<namespace>.<domain>`).
   * @default - Knative's default (routes answer only inside the cluster until a domain is configured)
   */
  readonly knativeDomain?: string;
  /**
   * Type of kourier's ingress Service: `LoadBalancer`, `NodePort` (clusters without load balancers, e.g. kind) or
   * `ClusterIP`.
   * @default 'LoadBalancer'
   */
  readonly ingressServiceType?: string;
  /**
   * A local Crossplane chart (directory or .tgz), for clusters without internet access.
   * @default - the pinned chart from Crossplane's repository
   */
  readonly crossplaneChart?: string;
  /**
   * Values of the app's DeployTimeSecrets by Secret name, then key (e.g. from `config.requireSecret`). Keys without a
   * value are generated (RandomPassword).
   * @default - every value generated
   */
  readonly secretValues?: { [secretName: string]: { [key: string]: pulumi.Input<string> } };
  /**
   * Where the installed Tekton sends the CloudEvents of every run of the cluster: an absolute http(s) URL. Give this
   * or `tektonEventsBroker`.
   * @default - the app's TektonEventsSink broker, if it declares one; else Tekton sends no events
   */
  readonly tektonEventsSink?: string;
  /**
   * A broker to send Tekton's events to (its address becomes the sink). Give this or `tektonEventsSink`.
   * @default - the app's TektonEventsSink broker, if it declares one; else Tekton sends no events
   */
  readonly tektonEventsBroker?: IBroker;
  /**
   * Prefix of the installs' names (`<prefix>knative-serving`, `<prefix>event-stack`, `<prefix>tekton`, `<prefix>kratix`,
   * `<prefix>crossplane`): needed when one stack holds two deployments that install (e.g. to two clusters).
   * Changing it renames, hence replaces, the installs.
   * @default - none
   */
  readonly installPrefix?: string;
  /**
   * The platform policy's options (the cdk8s plugin's `properties`).
   * @default - every rule, as `cdk8s synth` runs it
   */
  readonly policy?: PolicyOptions;
  /**
   * How long to wait for an object's readiness condition on create and update.
   * @default '10m'
   */
  readonly readyTimeout?: string;
}

const SERVICE_TYPES = ['LoadBalancer', 'NodePort', 'ClusterIP'];

/** A Namespace an install creates, and what creates it. */
export interface InstallNamespace {
  readonly namespace: string;
  /** What declares it, e.g. `serving-core.yaml` or `the Crossplane Helm release`. */
  readonly declaredBy: string;
  /** The argument that turns the install on, e.g. `installKnative`. */
  readonly setting: string;
}

/** What `PlatformDeployment.create` decided and read before registering anything: the installs and their files. */
export class PlatformReleases {
  /**
   * Plans the app, enforces the platform policy, decides the installs, and reads, checks and prepares every release
   * file they need. Rejects (registering nothing) with a ValidationError (policy), a ConfigError (a setting) or a
   * ReleaseFileError (a file refused, unreadable or not the release file it should be).
   */
  public static async read(args: PlatformDeploymentArgs): Promise<PlatformReleases> {
    const plan = DeploymentPlan.of(args.app);
    Cdk8sDeployment.enforcePolicy(args.app, plan, args.policy);
    if (args.ingressServiceType !== undefined && !SERVICE_TYPES.includes(args.ingressServiceType)) {
      throw new ConfigError(`ingressServiceType (${JSON.stringify(args.ingressServiceType)}) must be one of ${SERVICE_TYPES.join(', ')}`);
    }
    const wanted = (flag: boolean | undefined, installs: ClusterInstall[]) => flag ?? installs.some((i) => plan.requires(i));
    const knative = wanted(args.installKnative, [ClusterInstall.KNATIVE_SERVING, ClusterInstall.NET_KOURIER]);
    const eventing = wanted(args.installEventing, EVENT_STACK);
    // Knative's channel-based broker comes with the event stack when the app has a channel broker (or the whole
    // stack is asked for): a platform of RabbitMQ brokers runs none of its pods.
    const channelBroker = args.installEventing === true || plan.requires(ClusterInstall.CHANNEL_BROKER);
    const tekton = wanted(args.installTekton, [ClusterInstall.TEKTON_PIPELINES, ClusterInstall.TEKTON_TRIGGERS]);
    const kratix = wanted(args.installKratix, [ClusterInstall.KRATIX]);
    const crossplane = wanted(args.installCrossplane, [ClusterInstall.CROSSPLANE]);
    // cert-manager comes with Kratix unless the args say the cluster runs the event stack's installs (it among them).
    const kratixCertManager = args.installEventing !== false;
    const urls: { [install: string]: { [file: string]: string } } = {
      ...knative ? { installKnative: knativeServingManifestUrls(KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION) } : {},
      ...eventing ? { installEventing: eventingManifestUrls({ channelBroker }) } : {},
      ...tekton ? { installTekton: tektonManifestUrls() } : {},
      ...kratix ? { installKratix: kratixManifestUrls() } : {},
    };
    if (kratix && !kratixCertManager) delete urls.installKratix['cert-manager'];
    const tektonSink = tekton ? tektonSinkOf(args) : undefined;
    const reader = args.releaseReader ?? overriddenReleaseReader() ?? { read: manifestReader(args.releasesDir, { allowUnpinned: args.allowUnpinnedReleases === true }) };
    // Every file once (Kratix and the event stack share cert-manager's), all read before any is parsed.
    const unique = [...new Set(Object.values(urls).flatMap((u) => Object.values(u)))];
    const texts = new Map(await Promise.all(unique.map(async (url) => [url, await readRelease(reader, url)] as const)));
    const fromMemory = async (url: string) => texts.get(url)!;
    const manifests: { [install: string]: { [file: string]: any[] } } = {};
    for (const [install, files] of Object.entries(urls)) manifests[install] = await asReleaseError(() => readManifests(files, fromMemory));
    // The installs' own checks and settings, run now so that a file that is not the release file is refused here.
    await asReleaseError(async () => {
      const m = manifests;
      if (knative) prepareKnativeServing(m.installKnative as any, knativeSettings(args, plan));
      if (eventing) prepareKnativeEventing(m.installEventing, channelBroker);
      if (tekton) prepareTekton(m.installTekton, tektonSink);
      if (kratix) prepareKratix(m.installKratix, { installCertManager: kratixCertManager });
    });
    const namespaces: InstallNamespace[] = [
      ...Object.entries(manifests).flatMap(([setting, files]) => Object.entries(files).flatMap(([file, objects]) => objects
        .filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace' && typeof o.metadata?.name === 'string')
        .map((o) => ({ namespace: o.metadata.name as string, declaredBy: localFileName(urls[setting][file]), setting })))),
      ...crossplane ? [{ namespace: CROSSPLANE_NAMESPACE, declaredBy: 'the Crossplane Helm release', setting: 'installCrossplane' }] : [],
    ];
    return new PlatformReleases(args.app, plan, { knative, eventing, channelBroker: eventing && channelBroker, tekton, kratix, crossplane, kratixCertManager }, manifests, namespaces, tektonSink);
  }

  private constructor(
    /** The app the files were read for. */
    public readonly app: IConstruct,
    /** The app's deployment plan. */
    public readonly plan: DeploymentPlan,
    /** @internal */
    public readonly _installs: { knative: boolean; eventing: boolean; channelBroker: boolean; tekton: boolean; kratix: boolean; crossplane: boolean; kratixCertManager: boolean },
    /** @internal the release files' objects, by install argument, then file */
    public readonly _manifests: { [install: string]: { [file: string]: any[] } },
    /** The Namespaces the installs create. */
    public readonly installNamespaces: InstallNamespace[],
    /** @internal */
    public readonly _tektonSink: { eventsSink?: string; eventsBroker?: IBroker } | undefined,
  ) {}

  /** Installs the plan requires that PlatformDeployment has no install of (e.g. the channel-based broker): the cluster must run them. */
  public get notInstallable(): ClusterInstall[] {
    const switched = [ClusterInstall.KNATIVE_SERVING, ClusterInstall.NET_KOURIER, ...EVENT_STACK, ClusterInstall.TEKTON_PIPELINES, ClusterInstall.TEKTON_TRIGGERS,
      ClusterInstall.KRATIX, ClusterInstall.CROSSPLANE];
    return this.plan.installs.filter((i) => !switched.includes(i));
  }

  /** The ClusterInstall ids the deployment installs (the others are taken to be on the cluster). */
  public get installIds(): string[] {
    const i = this._installs;
    return [
      ...i.knative ? [ClusterInstall.KNATIVE_SERVING, ClusterInstall.NET_KOURIER] : [],
      ...i.eventing ? EVENT_STACK.filter((x) => x !== ClusterInstall.CHANNEL_BROKER || i.channelBroker) : [],
      ...i.tekton ? [ClusterInstall.TEKTON_PIPELINES, ClusterInstall.TEKTON_TRIGGERS] : [],
      ...i.kratix ? [ClusterInstall.KRATIX, ...i.kratixCertManager && !i.eventing ? [ClusterInstall.CERT_MANAGER] : []] : [],
      ...i.crossplane ? [ClusterInstall.CROSSPLANE] : [],
    ].map((x) => x.id);
  }
}

async function readRelease(reader: IReleaseReader, url: string): Promise<string> {
  try {
    const text = await reader.read(url);
    if (typeof text !== 'string') throw new ReleaseFileError(`${url}: the release reader returned ${text === undefined ? 'nothing' : typeof text}, not the file's text`);
    return text;
  } catch (e) {
    throw pulumi.RunError.isInstance(e) ? e : new ReleaseFileError(`${url}: could not be read: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** Runs a step on the release files; an error that is not already clear (a RunError) becomes a ReleaseFileError. */
async function asReleaseError<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (pulumi.RunError.isInstance(e)) throw e;
    throw new ReleaseFileError(`the release files are not what the installs expect: ${(e as Error)?.message ?? String(e)}`);
  }
}

/**
 * Runs a step; a ValidationError it throws is marked a Pulumi RunError (the SDK's own marker), so that `pulumi up`
 * prints its message — construct path, field, value, fix — without a stack trace. The class stays ValidationError.
 */
async function asRunError<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof ValidationError) Object.defineProperty(e, '__pulumiRunError', { value: true });
    throw e;
  }
}

function knativeSettings(args: PlatformDeploymentArgs, plan: DeploymentPlan) {
  return {
    domain: args.knativeDomain,
    ingressServiceType: args.ingressServiceType,
    // The cluster must allow the longest timeout the app asks for (e.g. a gateway's, for WebSockets).
    maxRevisionTimeoutSeconds: Math.max(600, plan.maxRequestTimeoutSeconds ?? 0),
  };
}

function tektonSinkOf(args: PlatformDeploymentArgs): { eventsSink?: string; eventsBroker?: IBroker } {
  if (args.tektonEventsSink !== undefined && args.tektonEventsBroker !== undefined) {
    throw new ConfigError(`tektonEventsSink (${args.tektonEventsSink}) and tektonEventsBroker (${args.tektonEventsBroker.address}) both set Tekton's one events sink; give one of them`);
  }
  const broker = args.tektonEventsBroker ?? TektonEventsSink.of(args.app)?.broker;
  const settings = args.tektonEventsSink !== undefined ? { eventsSink: args.tektonEventsSink } : broker ? { eventsBroker: broker } : {};
  try {
    tektonEventsSink(settings); // an absolute http(s) URL, checked before any file is read
  } catch (e) {
    throw new ConfigError(`tektonEventsSink: ${(e as Error).message}`);
  }
  return settings;
}

/**
 * A cdk8s app deployed with Pulumi with everything it needs installed first (see the module comment). Make it with
 * `await PlatformDeployment.create(name, args)`.
 */
export class PlatformDeployment extends pulumi.ComponentResource {
  /**
   * Reads and checks everything first (PlatformReleases.read), then registers the installs and the app's objects.
   * Rejects, with nothing registered, when the policy, a setting or a release file is refused.
   */
  public static async create(name: string, args: PlatformDeploymentArgs, opts: pulumi.ComponentResourceOptions = {}): Promise<PlatformDeployment> {
    return PlatformDeployment.fromReleases(name, args, await asRunError(() => PlatformReleases.read(args)), opts);
  }

  /**
   * Deploys with release files read already (PlatformReleases.read with the same args), e.g. after checks of the
   * caller's own on `releases.installNamespaces`.
   */
  public static async fromReleases(name: string, args: PlatformDeploymentArgs, releases: PlatformReleases,
    opts: pulumi.ComponentResourceOptions = {}): Promise<PlatformDeployment> {
    if (releases.app !== args.app) throw new ConfigError(`${name}: the releases were read for another app; read them with PlatformReleases.read(args) of this deployment`);
    await asRunError(async () => PlatformDeployment.refuseInstallNamespaces(releases));
    const deployment = new PlatformDeployment(name, args, releases, opts);
    for (const install of releases.notInstallable) {
      void pulumi.log.warn(`the app needs ${install.title} (${install.id}), which PlatformDeployment does not install: the cluster must run it, ` +
        'or the objects that need it are refused by the API server', deployment);
    }
    // The app's objects are compared with every install's: the release files' claims are decided first.
    await deployment.declared.settled();
    await asRunError(async () => deployment.deployApp(args));
    return deployment;
  }

  /**
   * Refuses a Namespace of the app that an install creates: only one copy can be deployed, and the install's has
   * neither the app's Pod Security labels nor its protection (a ValidationError on the Namespace's construct).
   */
  private static refuseInstallNamespaces(releases: PlatformReleases): void {
    const installed = releases.installNamespaces;
    for (const o of releases.plan.objects) {
      const m = o.manifest;
      if (m.apiVersion !== 'v1' || m.kind !== 'Namespace') continue;
      const owner = installed.find((i) => i.namespace === m.metadata.name);
      if (!owner) continue;
      const scope = releases.app.node.findAll().find((c) => c.node.path === o.constructPath) ?? releases.app;
      invalid(scope, 'metadata.name', m.metadata.name,
        `is a Namespace an install of the deployment creates (${owner.declaredBy} declares it; ${owner.setting} is on): its copy would be deployed ` +
        'instead of the app\'s, without the Pod Security labels and without the protection of the data kept there',
        `choose a namespace of the app's own (not one of ${[...new Set(installed.map((i) => i.namespace))].join(', ')}), or set ${owner.setting} to false if the cluster runs it`);
    }
  }

  /** The app's deployment plan (objects, installs, request timeout). */
  public readonly plan: DeploymentPlan;
  /** The ledger shared by the installs and the app: every object declared once. */
  public readonly declared: DeclaredObjects;
  public readonly knativeServing?: KnativeServing;
  public readonly eventing?: KnativeEventing;
  public readonly tekton?: TektonInstall;
  public readonly kratix?: KratixInstall;
  public readonly crossplane?: CrossplaneInstall;
  /** What each install is, once ready, by ClusterInstall id. */
  public readonly installs: { [installId: string]: pulumi.Resource[] };
  private appDeployment?: Cdk8sDeployment;
  private readonly deploymentName: string;

  private constructor(name: string, args: PlatformDeploymentArgs, releases: PlatformReleases, opts: pulumi.ComponentResourceOptions) {
    super('platform-blueprints:index:PlatformDeployment', name, {}, opts);
    this.deploymentName = name;
    this.plan = releases.plan;
    const declared = this.declared = new DeclaredObjects();
    const m = releases._manifests;
    const i = releases._installs;
    // Named and aliased as the reference program created them before this component existed (at the stack's root):
    // a stack made then keeps its resources (a changed URN would replace them, and the protected ones refuse that).
    const prefix = args.installPrefix ?? '';
    const child = { parent: this, aliases: [{ parent: pulumi.rootStackResource }] };
    this.knativeServing = i.knative
      ? new KnativeServing(`${prefix}knative-serving`, { ...knativeSettings(args, this.plan), manifests: m.installKnative, declared }, child) : undefined;
    this.eventing = i.eventing ? new KnativeEventing(`${prefix}event-stack`, { manifests: m.installEventing, declared, channelBroker: i.channelBroker }, child) : undefined;
    this.tekton = i.tekton ? new TektonInstall(`${prefix}tekton`, { ...releases._tektonSink, manifests: m.installTekton, declared }, child) : undefined;
    // After the event stack: its cert-manager is the copy kept; Kratix's cert-manager stage then waits for it.
    this.kratix = i.kratix ? new KratixInstall(`${prefix}kratix`, { manifests: m.installKratix, declared, installCertManager: i.kratixCertManager }, child) : undefined;
    this.crossplane = i.crossplane ? new CrossplaneInstall(`${prefix}crossplane`, { chartPath: args.crossplaneChart }, child) : undefined;
    this.installs = {
      ...this.knativeServing?.installs, ...this.kratix?.installs, ...this.eventing?.installs, ...this.tekton?.installs, ...this.crossplane?.installs,
    };
  }

  /** The Cdk8sDeployment of the app's objects (named like this component; its objects `<name>/<namespace>/<object>`). */
  public get app(): Cdk8sDeployment {
    if (!this.appDeployment) throw new Error('the app is deployed once the release files are read: make the deployment with await PlatformDeployment.create');
    return this.appDeployment;
  }

  private deployApp(args: PlatformDeploymentArgs): void {
    this.appDeployment = new Cdk8sDeployment(this.deploymentName, {
      root: args.app,
      plan: this.plan,
      enforcePolicy: false, // enforced before the installs (PlatformReleases.read)
      declared: this.declared,
      installs: this.installs,
      secretValues: args.secretValues,
      readyTimeout: args.readyTimeout,
      resourcePrefix: this.deploymentName,
    }, { parent: this, aliases: [{ parent: pulumi.rootStackResource }] });
    this.registerOutputs({});
  }

  /** The Pulumi resource of one of the app's objects (its ObjectRef: apiVersion, kind, namespace, name). */
  public resourceOf(ref: ObjectRef): pulumi.CustomResource {
    return this.app.resource(ref.apiVersion, ref.kind, ref.namespace, ref.name);
  }

  /**
   * The URL Knative reports for a function or gateway of the app (the Knative Service's `status.url`), known once the
   * Service is Ready (the deployment awaits it). For another kind of workload use its in-cluster `url`.
   */
  public urlOf(workload: IHttpWorkload): pulumi.Output<string> {
    const ref = workload.objectRef;
    if (ref.apiVersion !== 'serving.knative.dev/v1' || ref.kind !== 'Service' || !this.deploys(ref)) {
      invalid(workload, 'workload', `${ref.kind} ${ref.namespace}/${ref.name}`, 'is not a Knative Service this deployment deploys: there is no URL of it to report',
        `pass a KnativeFunction (or a gateway's service) of the deployed app; for anything else use its in-cluster url (${workload.url})`);
    }
    return statusField(this.resourceOf(ref), ['url'], `${ref.namespace}/${ref.name}`);
  }

  /** The address a Broker of the app reports (`status.address.url`), where publishers post CloudEvents; known once it is Ready. */
  public addressOf(broker: IBroker): pulumi.Output<string> {
    const ref = broker.objectRef;
    if (ref.kind !== 'Broker' || !this.deploys(ref)) {
      invalid(broker, 'broker', `${ref.kind} ${ref.namespace}/${ref.name}`, 'is not a Broker this deployment deploys (imported, or of another app): there is no status of it to report',
        `pass a Broker of the deployed app; for another use its address (${broker.address})`);
    }
    return statusField(this.resourceOf(ref), ['address', 'url'], `${ref.namespace}/${ref.name}`);
  }

  private deploys(ref: ObjectRef): boolean {
    return this.plan.object(DeploymentPlan.objectKey(ref.apiVersion, ref.kind, ref.name, ref.namespace)) !== undefined;
  }

  /**
   * The name of the Secret holding a store's credentials — an in-cluster Redis' password Secret (created at deploy
   * time), or a claim's connection Secret (written once the claim is Ready) — known once that Secret exists. The
   * values are never outputs.
   */
  public secretNameOf(store: IKeyValueStore): pulumi.Output<string> {
    const s = store as { passwordSecret?: { secretName: string }; connectionSecretName?: string; namespace?: string; claim?: { objectRef: ObjectRef } };
    if (s.passwordSecret?.secretName !== undefined) {
      const ref = { apiVersion: 'v1', kind: 'Secret', namespace: s.namespace, name: s.passwordSecret.secretName };
      // An imported Redis: its Secret is someone else's; the name is all there is.
      if (!this.deploys(ref)) return pulumi.output(ref.name);
      return this.resourceOf(ref).urn.apply(() => ref.name);
    }
    if (s.connectionSecretName !== undefined) {
      const claim = s.claim?.objectRef;
      if (!claim || !this.deploys(claim)) return pulumi.output(s.connectionSecretName);
      const name = s.connectionSecretName;
      return this.resourceOf(claim).urn.apply(() => name);
    }
    return invalid(store, 'store', store.node.path, 'names no credentials Secret (neither a Redis password Secret nor a claim\'s connection Secret)',
      'pass a Redis or a key/value store claim of the app');
  }
}

/** A field of a resource's status, once known; an error naming the object when the provider reported none. */
function statusField(resource: pulumi.CustomResource, path: string[], object: string): pulumi.Output<string> {
  return pulumi.output((resource as unknown as { status: pulumi.Output<any> }).status).apply((status) => {
    const value = path.reduce((v: any, k) => v?.[k], status);
    if (typeof value !== 'string' || value === '') {
      throw new pulumi.ResourceError(`${object}: the cluster reported no status.${path.join('.')} (was it Ready?)`, resource, true);
    }
    return value;
  });
}
