/**
 * Tekton Pipelines and Tekton Triggers (with its core interceptors), installed by Pulumi from the pinned release
 * files (upstream.yaml `releases:`), in three stages: Pipelines' `release.yaml`, then Triggers' `release.yaml` (its
 * objects live in Pipelines' namespace `tekton-pipelines`, and Triggers creates Pipelines' runs), then Triggers'
 * `interceptors.yaml` (its ClusterInterceptors are objects of a Triggers CRD). The stages claim their objects in the
 * program's DeclaredObjects ledger, so every object is declared once across the program.
 *
 * Our settings are applied to the release's own ConfigMaps (nothing is patched after the fact):
 * - `config-events`: `sink` (the one URL every TaskRun, PipelineRun and CustomRun event of the cluster is sent to —
 *   Tekton has a single sink per cluster) and `formats: tektonv1` (the only format Tekton knows), when a sink is given;
 *   without one Tekton sends no events, as released.
 * - `feature-flags`: `set-security-context: "true"` by default, so that the containers Tekton injects into a TaskRun's
 *   pod (prepare, place-scripts, working-dir-initializer) carry a `restricted`-compliant security context and
 *   TaskRuns can run in the platform's namespaces, which enforce Pod Security `restricted`. Optionally
 *   `set-security-context-read-only-root-filesystem` too. Every other flag keeps Tekton's default.
 *
 * Tekton's admission webhooks (pipelines and triggers alike) are knative.dev/pkg webhooks: the webhook Deployment
 * writes its own CA and rules into its configurations, as Knative's do, so nothing waits for a CA here (the stages'
 * Deployments are awaited until available, as every Deployment of a ConfigGroup is). The core interceptors likewise
 * write their CA into the ClusterInterceptors (`spec.clientConfig.caBundle`) once they run.
 */
import * as pulumi from '@pulumi/pulumi';
import { ClusterInstall, IBroker } from '../../constructs';
import { ReleaseInstallArgs, StagedInstall, releaseManifests, withConfigData } from './release-install';

/** The pinned versions (upstream.yaml, through the library's ClusterInstall table). */
export const TEKTON_PIPELINES_VERSION = ClusterInstall.TEKTON_PIPELINES.version;
export const TEKTON_TRIGGERS_VERSION = ClusterInstall.TEKTON_TRIGGERS.version;

/** The namespace both releases install into (Pipelines' release file declares it; Triggers' has none). */
export const TEKTON_NAMESPACE = 'tekton-pipelines';

/** The stages, in install order, and what each waits for. */
export const TEKTON_STAGES: Array<{ name: string; after: string[] }> = [
  { name: 'pipelines', after: [] },
  { name: 'triggers', after: ['pipelines'] },
  { name: 'interceptors', after: ['triggers'] },
];

/**
 * The release files, by stage: Tekton publishes them on infra.tekton.dev (`<bucket>/<repository>/previous/<tag>/`,
 * the layout of the release pipelines of tektoncd/pipeline and tektoncd/triggers).
 */
export function tektonManifestUrls(pipelinesVersion: string = TEKTON_PIPELINES_VERSION, triggersVersion: string = TEKTON_TRIGGERS_VERSION): { [stage: string]: string } {
  return {
    pipelines: `https://infra.tekton.dev/tekton-releases/pipeline/previous/v${pipelinesVersion}/release.yaml`,
    triggers: `https://infra.tekton.dev/tekton-releases/triggers/previous/v${triggersVersion}/release.yaml`,
    interceptors: `https://infra.tekton.dev/tekton-releases/triggers/previous/v${triggersVersion}/interceptors.yaml`,
  };
}

export interface TektonSettings {
  /**
   * Where Tekton sends the CloudEvents of every TaskRun, PipelineRun and CustomRun of the cluster (`config-events`
   * `sink`): an absolute http(s) URL. Tekton has one sink per cluster. Give either this or `eventsBroker`.
   * @default - no sink: Tekton sends no events
   */
  readonly eventsSink?: string;
  /**
   * A broker to send Tekton's events to (its address becomes the `config-events` sink). Give either this or `eventsSink`.
   * @default - no sink: Tekton sends no events
   */
  readonly eventsBroker?: IBroker;
  /**
   * Whether the containers Tekton injects into TaskRun pods get a security context that Pod Security `restricted`
   * admits (`feature-flags` `set-security-context`). Without it, TaskRuns cannot start in namespaces enforcing
   * `restricted` (the platform's do).
   * @default true (Tekton's own default is false)
   */
  readonly setSecurityContext?: boolean;
  /**
   * Whether those injected containers also get a read-only root filesystem (`feature-flags`
   * `set-security-context-read-only-root-filesystem`; needs `setSecurityContext`).
   * @default false (Tekton's default)
   */
  readonly readOnlyRootFilesystem?: boolean;
}

/** Whether a value is an absolute http(s) URL with a host (what Tekton's events controller can post to). */
export function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && url.host !== '';
  } catch {
    return false;
  }
}

/** The events sink the settings give, checked: an absolute http(s) URL, or a broker's address. */
export function tektonEventsSink(settings: TektonSettings): string | undefined {
  if (settings.eventsSink !== undefined && settings.eventsBroker !== undefined) {
    throw new Error(`eventsSink (${settings.eventsSink}) and eventsBroker (${settings.eventsBroker.address}) both set Tekton's one events sink; give one of them`);
  }
  const sink = settings.eventsSink ?? settings.eventsBroker?.address;
  if (sink === undefined) return undefined;
  if (!isAbsoluteHttpUrl(sink)) {
    throw new Error(`Tekton's events sink (${JSON.stringify(sink)}) is not an absolute http(s) URL; give the address events are posted to, ` +
      'e.g. a broker\'s http://broker-ingress.knative-eventing.svc.cluster.local/<namespace>/<broker>');
  }
  return sink;
}

const has = (objects: any[], kind: string, namespace: string | undefined, name: string) =>
  objects.some((o) => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace);

/**
 * Applies the settings to the release objects and checks they are the release files; returns the objects by stage.
 * Pure: the manifests go in, the objects to create come out.
 */
export function prepareTekton(manifests: { [stage: string]: any[] }, settings: TektonSettings = {}): { [stage: string]: any[] } {
  const sink = tektonEventsSink(settings);
  if (settings.readOnlyRootFilesystem && settings.setSecurityContext === false) {
    throw new Error('readOnlyRootFilesystem needs setSecurityContext: Tekton sets a read-only root filesystem only on the security context that flag adds');
  }
  const expected: Array<[string, string, string | undefined, string]> = [
    ['pipelines', 'Namespace', undefined, TEKTON_NAMESPACE],
    ['pipelines', 'ConfigMap', TEKTON_NAMESPACE, 'config-events'],
    ['pipelines', 'ConfigMap', TEKTON_NAMESPACE, 'feature-flags'],
    ['pipelines', 'Deployment', TEKTON_NAMESPACE, 'tekton-events-controller'],
    ['triggers', 'Deployment', TEKTON_NAMESPACE, 'tekton-triggers-controller'],
    ['interceptors', 'ClusterInterceptor', undefined, 'cel'],
  ];
  const missing = expected.filter(([stage, kind, ns, name]) => !has(manifests[stage] ?? [], kind, ns, name));
  if (missing.length) {
    throw new Error(`the Tekton release files lack ${missing.map(([stage, kind, ns, name]) => `${kind} ${ns ? `${ns}/` : ''}${name} (${stage})`).join(', ')}; ` +
      'are these Pipelines\' release.yaml and Triggers\' release.yaml and interceptors.yaml?');
  }
  const flags: { [key: string]: string } = {
    'set-security-context': String(settings.setSecurityContext !== false),
    ...settings.readOnlyRootFilesystem ? { 'set-security-context-read-only-root-filesystem': 'true' } : {},
  };
  const pipelines = manifests.pipelines
    .map((o) => withConfigData(o, TEKTON_NAMESPACE, 'feature-flags', flags))
    .map((o) => (sink ? withConfigData(o, TEKTON_NAMESPACE, 'config-events', { sink, formats: 'tektonv1' }) : o));
  return { pipelines, triggers: manifests.triggers, interceptors: manifests.interceptors };
}

export interface TektonArgs extends TektonSettings, ReleaseInstallArgs {
  /** @default TEKTON_PIPELINES_VERSION */
  readonly pipelinesVersion?: string;
  /** @default TEKTON_TRIGGERS_VERSION */
  readonly triggersVersion?: string;
}

/** Tekton Pipelines, then Triggers, then Triggers' core interceptors (see the module comment). */
export class TektonInstall extends StagedInstall {
  /** Ready for `tekton.dev` objects (Tasks, Pipelines, runs). */
  public readonly pipelinesReady: pulumi.Resource[];
  /** Ready for `triggers.tekton.dev` objects (EventListeners and what they use, the core interceptors included). */
  public readonly triggersReady: pulumi.Resource[];
  /** What each install it provides is, once ready, by ClusterInstall id (for Cdk8sDeployment's `installs`). */
  public readonly installs: { [installId: string]: pulumi.Resource[] };
  /** The `config-events` sink set, if any. */
  public readonly eventsSink?: string;

  public constructor(name: string, args: TektonArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    // Checked before anything registers.
    const sink = tektonEventsSink(args);
    const read = releaseManifests(args, tektonManifestUrls(args.pipelinesVersion, args.triggersVersion));
    const prepared = read.then((m) => prepareTekton(m, args));
    super('platform-blueprints:index:TektonInstall', name,
      TEKTON_STAGES.map((s) => ({ name: s.name, after: s.after, objects: prepared.then((p) => p[s.name]) })), args, opts);
    this.eventsSink = sink;
    this.pipelinesReady = this.stagesNamed('pipelines');
    this.triggersReady = this.stagesNamed('triggers', 'interceptors');
    this.installs = {
      [ClusterInstall.TEKTON_PIPELINES.id]: this.pipelinesReady,
      [ClusterInstall.TEKTON_TRIGGERS.id]: this.triggersReady,
    };
  }
}
