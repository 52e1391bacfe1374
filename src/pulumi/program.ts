/**
 * The Pulumi program: the reference platform, built in-process from the same constructs as dist/, deployed by
 * PlatformDeployment — which derives from the app's plan the installs it needs (Knative Serving + kourier, the event
 * stack, Tekton with its events sent to the platform's broker or `tektonEventsSink`, Kratix, Crossplane), the
 * Knative request-timeout ceiling and the order, and reads every release file before anything registers. What is
 * the reference platform's own stays here: the stack configuration, its namespaces checked against the ones the
 * installs create (named by their stack keys), the Redis password, and the stack outputs.
 */
import { App } from 'cdk8s';
import * as pulumi from '@pulumi/pulumi';
import { TektonEventsSink } from '../../constructs';
import { buildReferencePlatform } from '../reference-platform';
import { ProgramConfig, readConfig, refuseInstalledNamespaces } from './config';
import { PlatformDeployment, PlatformDeploymentArgs, PlatformReleases } from './platform-deployment';
import { ManifestReader } from './release-files';

export interface ProgramOutputs {
  /** Public URL of the gateway: `https://<gatewayDomain>`, else as Knative reports it. */
  readonly gatewayUrl: pulumi.Output<string>;
  readonly namespace: string;
  /** In-cluster URLs of the functions. */
  readonly functions: { [name: string]: string };
  /**
   * Secret holding the store's credentials: the in-cluster Redis' password Secret, or the claim's connection Secret
   * (the values are never outputs); known once the Secret exists.
   */
  readonly storeSecret: pulumi.Output<string>;
  /** `in-cluster` or `claim`. */
  readonly store: string;
  /** Namespace of the event infrastructure. */
  readonly eventsNamespace: string;
  /** The address publishers post CloudEvents to, as the Broker reports it. */
  readonly brokerUrl: pulumi.Output<string>;
}

export interface ProgramOptions {
  /** @default readConfig() - the stack configuration */
  readonly config?: ProgramConfig;
  /** How release files are read. @default - checked against their pins: from knativeManifestsDir, or the cache, or over HTTPS */
  readonly reader?: ManifestReader;
}

/** The stack key of each install argument, in refusals. */
const SETTINGS: { [arg: string]: string } = {
  installKnative: 'installKnative', installEventing: 'installEventing', installTekton: 'installTekton', installKratix: 'installKratix', installCrossplane: 'crossplane',
};

export async function runProgram(options: ProgramOptions = {}): Promise<ProgramOutputs> {
  const config = options.config ?? readConfig();
  const app = new App();
  const reference = buildReferencePlatform(app, config.platform);
  const platform = reference.functions;
  const redisSecret = platform.redis?.passwordSecret;
  const args: PlatformDeploymentArgs = {
    app,
    // The stack's install switches allow an install the platform needs (true, the default) or skip it (false);
    // Tekton's and Kratix's also force it (true) when set.
    installKnative: config.installKnative ? undefined : false,
    installEventing: config.installEventing ? undefined : false,
    installTekton: config.installTekton,
    installKratix: config.installKratix,
    installCrossplane: config.crossplane ? undefined : false,
    ...options.reader ? { releaseReader: { read: options.reader } } : {},
    releasesDir: config.knativeManifestsDir,
    allowUnpinnedReleases: config.allowUnpinnedReleases,
    knativeDomain: config.knativeDomain,
    ingressServiceType: config.ingressServiceType,
    crossplaneChart: config.crossplaneChart,
    // Tekton's one events sink: the stack's, else the broker the app's TektonEventsSink names, else the platform's.
    ...config.tektonEventsSink !== undefined ? { tektonEventsSink: config.tektonEventsSink }
      : TektonEventsSink.of(app) ? {} : { tektonEventsBroker: reference.events.broker },
    secretValues: config.redisPassword && redisSecret ? { [redisSecret.secretName]: { [redisSecret.key]: config.redisPassword } } : {},
  };
  const releases = await PlatformReleases.read(args);
  // The platform's namespaces are its own: none may be one the installs create (named by the stack keys).
  refuseInstalledNamespaces({ namespace: platform.namespace, eventsNamespace: reference.events.namespace },
    releases.installNamespaces.map((n) => ({ ...n, setting: SETTINGS[n.setting] ?? n.setting })));
  const deployment = await PlatformDeployment.fromReleases('functions-platform', args, releases);
  return {
    // On its own domain, the gateway's URL is the domain's (HTTPS); else the one Knative reports.
    gatewayUrl: platform.gateway.domain ? pulumi.output(platform.gateway.domain.url) : deployment.urlOf(platform.gateway.service),
    namespace: platform.namespace,
    functions: Object.fromEntries(platform.functions.map((f) => [f.name, f.url])),
    storeSecret: deployment.secretNameOf(platform.redis ?? platform.storeClaim!),
    store: platform.storeBackend,
    eventsNamespace: reference.events.namespace,
    brokerUrl: deployment.addressOf(reference.events.broker),
  };
}
