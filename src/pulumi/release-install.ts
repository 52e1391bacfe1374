/**
 * Installing upstream releases from their manifests with Pulumi: read each manifest once, its integrity checked
 * (release-files.ts: over HTTPS, from the download cache, or from a local folder for air-gapped clusters), let a pure function prepare the objects (settings applied to the objects
 * themselves), claim them in a DeclaredObjects ledger shared with the rest of the program (every object declared
 * once: a copy an earlier stage holds is dropped), and create each stage as one `yaml/v2` ConfigGroup that waits for
 * its own objects, after the stages it depends on. The stages' CRDs are retained when Pulumi deletes them
 * (retainCustomResourceDefinitions): `pulumi destroy`, or turning an install off, leaves them and the objects of
 * their kinds on the cluster.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { parseManifests } from '../kubernetes-yaml';
import { DeclaredObjects, awaitInjectedCa, describeDifferences } from './declared-objects';
import { ManifestReader, manifestReader } from './release-files';

// Manifest files are read as Kubernetes reads them (YAML 1.1 scalars): src/kubernetes-yaml.ts, shared with `diff`.
export { parseManifests };

/** Reads and parses manifests by name. */
export async function readManifests(urls: { [name: string]: string }, read: ManifestReader): Promise<{ [name: string]: any[] }> {
  const names = Object.keys(urls);
  const texts = await Promise.all(names.map((n) => read(urls[n])));
  return Object.fromEntries(names.map((n, i) => [n, parseManifests(texts[i], urls[n])]));
}

/** A ConfigMap of a release with extra data keys (other objects unchanged). */
export function withConfigData(o: any, namespace: string, name: string, data: { [key: string]: string }): any {
  if (o.kind !== 'ConfigMap' || o.metadata?.name !== name || o.metadata?.namespace !== namespace) return o;
  return { ...o, data: { ...o.data, ...data } };
}

const CRD_TYPE = /^kubernetes:apiextensions\.k8s\.io\/v1(beta1)?:CustomResourceDefinition$/;

/**
 * A resource transform (the `transforms` resource option) that marks every CustomResourceDefinition among a
 * resource's descendants `retainOnDelete`. Deleting a CRD deletes every object of its kind, and with them what they
 * own: a RabbitmqCluster's volume claims (queue data), Brokers, Triggers, Knative Services — whatever `protect` and
 * `retainOnDelete` the platform gave those objects. Install stages are yaml/v2 ConfigGroups, whose objects the
 * provider registers as children of the group: the engine runs the group's transforms on each of them (the older
 * `transformations` option never reaches children registered by a provider).
 */
export function retainCustomResourceDefinitions(args: pulumi.ResourceTransformArgs): pulumi.ResourceTransformResult | undefined {
  if (!args.custom || !CRD_TYPE.test(args.type)) return undefined;
  return { props: args.props, opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true }) };
}

/** What every staged install takes besides its own settings: where its release files come from and how it deploys. */
export interface ReleaseInstallArgs {
  /** How manifests are read. @default manifestReader() - checked against upstream.yaml's pins; cached; over HTTPS from the release URLs */
  readonly reader?: ManifestReader;
  /**
   * The release files' objects by file (the keys of the install's manifest URLs), when the caller has read them
   * already (the Pulumi program does, to check its settings against them before anything registers); `reader` is not
   * used then.
   * @default - read with `reader`
   */
  readonly manifests?: { [file: string]: any[] };
  /**
   * The program's ledger of declared objects, shared with its other installs and deployments so that every object
   * is declared once.
   * @default - a ledger of its own (the stages are deduplicated among themselves)
   */
  readonly declared?: DeclaredObjects;
  /**
   * Whether the install's CustomResourceDefinitions stay on the cluster when Pulumi deletes them (`pulumi destroy`,
   * or the install removed from the program): deleting a CRD deletes every object of its kind, and what those own
   * (Services, Brokers, Tasks, Promises and their requests, ...). Remove them deliberately with `kubectl delete crd`.
   * Turn off only where the objects may go too (a throwaway cluster).
   * @default true
   */
  readonly retainCustomResourceDefinitions?: boolean;
}

/** The install's release files: the ones given, or read from `urls` with the args' reader. */
export function releaseManifests(args: ReleaseInstallArgs, urls: { [file: string]: string }): Promise<{ [file: string]: any[] }> {
  return args.manifests ? Promise.resolve(args.manifests) : readManifests(urls, args.reader ?? manifestReader());
}

export interface InstallStage {
  readonly name: string;
  /** The objects of this stage, once the manifests are read and prepared. */
  readonly objects: Promise<any[]>;
  /** Stages created first. @default - none */
  readonly after?: string[];
}

/**
 * A set of stages installed in dependency order (see the module comment). Each stage claims its objects in
 * `declared` under the name `<name>-<stage>` (the name of its ConfigGroup) and waits for the stages it names in
 * `after` and for the earlier claims its objects need (the copies it dropped, its CRDs, the webhooks whose CA
 * cert-manager injects that admit its objects); webhook configurations with an injected CA are awaited until their
 * caBundle is set, so the ConfigGroup is ready only then.
 */
export class StagedInstall extends pulumi.ComponentResource {
  /** The ConfigGroup of each stage. */
  public readonly stages: { [name: string]: k8s.yaml.v2.ConfigGroup } = {};
  /** The ledger the stages claimed their objects in. */
  public readonly declared: DeclaredObjects;

  /** @param args the ledger to claim in (`declared`) and whether CRDs stay on delete; the release files are the stages' */
  public constructor(type: string, name: string, stages: InstallStage[], args: ReleaseInstallArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(type, name, {}, opts);
    const declared = this.declared = args.declared ?? new DeclaredObjects();
    const retainCrds = args.retainCustomResourceDefinitions !== false;
    for (const stage of stages) {
      const unknown = (stage.after ?? []).find((s) => !this.stages[s]);
      if (unknown !== undefined) throw new Error(`install ${name}: stage ${stage.name} comes after ${unknown}, which is not an earlier stage`);
      const owner = `${name}-${stage.name}`;
      const claim = declared.claim(owner, stage.objects, (stage.after ?? []).map((s) => `${name}-${s}`)).then((c) => {
        // Upstream files do ship differing copies of one object (both RabbitMQ operators' Namespace rabbitmq-system):
        // the earliest is deployed; say what the later one would have set.
        for (const d of declared.dropped.filter((x) => x.droppedFrom === owner && !x.identical)) {
          void pulumi.log.warn(`${d.object} is declared by install stages ${d.keptBy} and ${owner} with other content ` +
            `(${describeDifferences(d.differences)}): ${d.keptBy}'s copy is deployed, ${owner}'s is not`, this);
        }
        return c;
      });
      const waitsFor: Promise<pulumi.Input<pulumi.Resource>[]> = claim.then((c) => declared.resources(c.waitsFor));
      const objs = claim.then((c) => c.kept.map(awaitInjectedCa));
      this.stages[stage.name] = new k8s.yaml.v2.ConfigGroup(owner, { objs: pulumi.output(objs) }, {
        parent: this, dependsOn: waitsFor, ...retainCrds ? { transforms: [retainCustomResourceDefinitions] } : {},
      });
      declared.bind(owner, this.stages[stage.name]);
    }
    this.registerOutputs({});
  }

  /** The ConfigGroups of the named stages (what a dependent object waits for). */
  public stagesNamed(...names: string[]): pulumi.Resource[] {
    return names.map((n) => {
      const stage = this.stages[n];
      if (!stage) throw new Error(`no stage ${n}`);
      return stage;
    });
  }
}
