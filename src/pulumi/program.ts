/**
 * The Pulumi program: the reference platform, built in-process from the same constructs as dist/, planned once
 * (DeploymentPlan: objects, order, the installs they need, the longest request timeout), then the installs the plan
 * names — Knative Serving (+ kourier), the event stack, Tekton Pipelines and Triggers (their events sink set to the
 * platform's broker, or `tektonEventsSink`), Kratix on this cluster (with cert-manager, Flux, MinIO, its state store
 * and Destination), Crossplane — and the objects through the bridge, each after
 * what it needs. The installs and the bridge share one DeclaredObjects ledger, so every object of the program is
 * declared once (the earliest stage's copy is kept); the release files are read before the bridge registers.
 */
import { App } from 'cdk8s';
import * as pulumi from '@pulumi/pulumi';
import { ClusterInstall, DeploymentPlan, TektonEventsSink } from '../../constructs';
import { buildReferencePlatform } from '../reference-platform';
import { Cdk8sDeployment } from './bridge';
import { InstalledNamespace, ProgramConfig, readConfig, refuseInstalledNamespaces } from './config';
import { CROSSPLANE_NAMESPACE, CrossplaneInstall } from './crossplane';
import { DeclaredObjects } from './declared-objects';
import { KnativeEventing, eventingManifestUrls } from './knative-eventing';
import { KNATIVE_SERVING_VERSION, KnativeServing, NET_KOURIER_VERSION, knativeServingManifestUrls } from './knative-serving';
import { ManifestReader, localFileName, manifestReader } from './release-files';
import { readManifests } from './release-install';
import { KratixInstall, kratixManifestUrls } from './kratix';
import { TektonInstall, tektonManifestUrls } from './tekton';

export interface ProgramOutputs {
  /** Public URL of the gateway: `https://<gatewayDomain>`, else as Knative reports it. */
  readonly gatewayUrl: pulumi.Output<string | undefined>;
  readonly namespace: string;
  /** In-cluster URLs of the functions. */
  readonly functions: { [name: string]: string };
  /**
   * Secret holding the store's credentials: the in-cluster Redis' password Secret, or the claim's connection Secret
   * (the values are never outputs).
   */
  readonly storeSecret: string;
  /** `in-cluster` or `claim`. */
  readonly store: string;
  /** Namespace of the event infrastructure. */
  readonly eventsNamespace: string;
  /** In-cluster address publishers post CloudEvents to. */
  readonly brokerUrl: string;
}

export interface ProgramOptions {
  /** @default readConfig() - the stack configuration */
  readonly config?: ProgramConfig;
  /** How release files are read. @default - checked against their pins: from knativeManifestsDir, or the cache, or over HTTPS */
  readonly reader?: ManifestReader;
}

/** Reads every file now; resolves to a reader serving them from memory (any other URL is an error). */
async function readAll(urls: string[], read: ManifestReader): Promise<ManifestReader> {
  const texts = new Map(await Promise.all(urls.map(async (url) => [url, await read(url)] as const)));
  return async (url: string) => {
    const text = texts.get(url);
    if (text === undefined) throw new Error(`release file ${url} was not read before the installs`);
    return text;
  };
}

/** The Namespaces the release files declare, by the file that declares each (named as in a local release folder). */
function installedNamespaces(urls: { [file: string]: string }, manifests: { [file: string]: any[] } | undefined, setting: string): InstalledNamespace[] {
  return Object.entries(manifests ?? {}).flatMap(([file, objects]) => objects
    .filter((o) => o.apiVersion === 'v1' && o.kind === 'Namespace' && typeof o.metadata?.name === 'string')
    .map((o) => ({ namespace: o.metadata.name, declaredBy: localFileName(urls[file]), setting })));
}

export async function runProgram(options: ProgramOptions = {}): Promise<ProgramOutputs> {
  const config = options.config ?? readConfig();
  const app = new App();
  const reference = buildReferencePlatform(app, config.platform);
  const platform = reference.functions;
  const plan = DeploymentPlan.of(app);
  // The policy runs before the first install: a refused platform installs nothing.
  Cdk8sDeployment.enforcePolicy(app, plan);
  const declared = new DeclaredObjects();
  const installKnative = config.installKnative && plan.requires(ClusterInstall.KNATIVE_SERVING);
  const eventStack = [ClusterInstall.CERT_MANAGER, ClusterInstall.RABBITMQ_CLUSTER_OPERATOR, ClusterInstall.RABBITMQ_TOPOLOGY_OPERATOR,
    ClusterInstall.KNATIVE_EVENTING, ClusterInstall.EVENTING_RABBITMQ, ClusterInstall.CHANNEL_BROKER];
  const installEventing = config.installEventing && eventStack.some((i) => plan.requires(i));
  const servingUrls: { [file: string]: string } = installKnative ? knativeServingManifestUrls(KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION) : {};
  const eventingUrls: { [file: string]: string } = installEventing ? eventingManifestUrls() : {};
  const installTekton = config.installTekton ?? (plan.requires(ClusterInstall.TEKTON_PIPELINES) || plan.requires(ClusterInstall.TEKTON_TRIGGERS));
  const tektonUrls: { [file: string]: string } = installTekton ? tektonManifestUrls() : {};
  const installKratix = config.installKratix ?? plan.requires(ClusterInstall.KRATIX);
  // cert-manager comes with Kratix unless the stack says the cluster runs the event stack's installs itself.
  const kratixUrls: { [file: string]: string } = installKratix ? kratixManifestUrls() : {};
  if (installKratix && !config.installEventing) delete kratixUrls['cert-manager'];
  // Every release file is read (and checked) before anything registers: a refused file installs nothing.
  const reader = await readAll([...new Set([...Object.values(servingUrls), ...Object.values(eventingUrls), ...Object.values(tektonUrls),
    ...Object.values(kratixUrls)])],
    options.reader ?? manifestReader(config.knativeManifestsDir, { allowUnpinned: config.allowUnpinnedReleases }));
  const servingManifests = installKnative ? await readManifests(servingUrls, reader) : undefined;
  const eventingManifests = installEventing ? await readManifests(eventingUrls, reader) : undefined;
  const tektonManifests = installTekton ? await readManifests(tektonUrls, reader) : undefined;
  const kratixManifests = installKratix ? await readManifests(kratixUrls, reader) : undefined;
  const installCrossplane = config.crossplane && plan.requires(ClusterInstall.CROSSPLANE);
  // The platform's namespaces are its own: none may be one the installs create (their Namespace would win).
  refuseInstalledNamespaces({ namespace: platform.namespace, eventsNamespace: reference.events.namespace }, [
    ...installedNamespaces(servingUrls, servingManifests, 'installKnative'),
    ...installedNamespaces(eventingUrls, eventingManifests, 'installEventing'),
    ...installedNamespaces(tektonUrls, tektonManifests, 'installTekton'),
    ...installedNamespaces(kratixUrls, kratixManifests, 'installKratix'),
    ...installCrossplane ? [{ namespace: CROSSPLANE_NAMESPACE, declaredBy: 'the Crossplane Helm release', setting: 'crossplane' }] : [],
  ]);

  const knative = installKnative
    ? new KnativeServing('knative-serving', {
      domain: config.knativeDomain,
      ingressServiceType: config.ingressServiceType,
      // The cluster must allow the longest timeout the platform asks for (the gateway's, for WebSockets).
      maxRevisionTimeoutSeconds: Math.max(600, plan.maxRequestTimeoutSeconds ?? 0),
      manifests: servingManifests,
      declared,
    })
    : undefined;
  const eventing = installEventing ? new KnativeEventing('event-stack', { manifests: eventingManifests, declared }) : undefined;
  // Tekton has one events sink per cluster: the platform's broker, unless the stack names another.
  const tekton = installTekton
    ? new TektonInstall('tekton', {
      // The app's TektonEventsSink names it (the continuous verification declares one); else the event platform's broker.
      ...config.tektonEventsSink !== undefined ? { eventsSink: config.tektonEventsSink } : { eventsBroker: TektonEventsSink.of(app)?.broker ?? reference.events.broker },
      manifests: tektonManifests,
      declared,
    })
    : undefined;
  // After the event stack: its cert-manager is the copy kept; Kratix's cert-manager stage then waits for it.
  const kratix = installKratix
    ? new KratixInstall('kratix', { manifests: kratixManifests, declared, installCertManager: config.installEventing })
    : undefined;
  const crossplane = installCrossplane
    ? new CrossplaneInstall('crossplane', { chartPath: config.crossplaneChart })
    : undefined;

  // The platform's objects are compared with every install's: the release files must be read first.
  await declared.settled();
  const redisSecret = platform.redis?.passwordSecret;
  const deployment = new Cdk8sDeployment('functions-platform', {
    root: app,
    plan,
    enforcePolicy: false, // enforced above, before the installs
    declared,
    installs: { ...knative?.installs, ...kratix?.installs, ...eventing?.installs, ...tekton?.installs, ...crossplane?.installs },
    secretValues: config.redisPassword && redisSecret ? { [redisSecret.secretName]: { [redisSecret.key]: config.redisPassword } } : {},
  });

  const gateway = platform.gateway.service;
  const gatewayResource = deployment.resource('serving.knative.dev/v1', 'Service', gateway.namespace, gateway.name) as any;
  return {
    // On its own domain, the gateway's URL is the domain's (HTTPS); else the one Knative reports.
    gatewayUrl: platform.gateway.domain
      ? pulumi.output<string | undefined>(platform.gateway.domain.url)
      : pulumi.output(gatewayResource.status).apply((s: any) => s?.url as string | undefined),
    namespace: platform.namespace,
    functions: Object.fromEntries(platform.functions.map((f) => [f.name, f.url])),
    storeSecret: redisSecret?.secretName ?? platform.storeClaim!.connectionSecretName,
    store: platform.storeBackend,
    eventsNamespace: reference.events.namespace,
    brokerUrl: reference.events.broker.address,
  };
}
