/**
 * What a cluster running Crossplane needs for the compositions of an app: the composition functions they use,
 * provider-kubernetes (when they compose in-cluster objects) with an in-cluster ProviderConfig, and the RBAC for
 * exactly the kinds composed — no wildcards. Cloud providers (and their credentials) stay the platform team's.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterScoped } from '../core/context';
import { DeployHints } from '../core/deploy-hints';
import { invalid } from '../core/errors';
import { pluralOf } from '../core/k8s-rules';
import { MANAGED_BY, recommendedLabels } from '../core/labels';
import { requireName } from '../core/validate';
import { XpProviderConfig } from '../imports/kubernetes.crossplane.io';
import { XpClusterProviderConfig } from '../imports/kubernetes.m.crossplane.io';
import { ProviderConfigV1Beta1 as HelmProviderConfig } from '../imports/helm.crossplane.io';
import { ClusterProviderConfig as HelmClusterProviderConfig } from '../imports/helm.m.crossplane.io';
import { DeploymentRuntimeConfig, Function as FunctionL1, Provider } from '../imports/pkg.crossplane.io';
import { PINNED_RELEASES } from '../imports/versions';
import { ComposedKind, Composition, CompositionFunction } from './composition';

/** provider-kubernetes, pinned in upstream.yaml. */
const PROVIDER_KUBERNETES = PINNED_RELEASES['provider-kubernetes'].artifacts.package;
/** provider-helm, pinned in upstream.yaml. */
const PROVIDER_HELM = PINNED_RELEASES['provider-helm'].artifacts.package;
const OBJECT_GROUPS = ['kubernetes.crossplane.io', 'kubernetes.m.crossplane.io'];
const HELM_GROUPS = ['helm.crossplane.io', 'helm.m.crossplane.io'];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

export interface CrossplanePackagesProps {
  /**
   * The compositions to serve.
   * @default - every Composition in the app when this construct is created (create it after them)
   */
  readonly compositions?: Composition[];
  /** Namespace Crossplane runs in (its providers' ServiceAccounts live there). @default 'crossplane-system' */
  readonly crossplaneNamespace?: string;
  /** Name of the providers' ProviderConfigs and ClusterProviderConfigs. @default 'in-cluster' */
  readonly providerConfigName?: string;
  /**
   * The kinds the Helm charts of the compositions install (provider-helm's RBAC); required when a composition
   * composes provider-helm Releases.
   * @default - none
   */
  readonly helmChartKinds?: ComposedKind[];
}

/** Functions, providers, provider configs and RBAC for a set of compositions (see the module comment). */
export class CrossplanePackages extends Construct {
  public readonly functions: CompositionFunction[];
  /** The Provider object of provider-kubernetes, when a composition composes in-cluster Objects. */
  public readonly providerKubernetes?: ApiObject;
  /** The Provider object of provider-helm, when a composition composes Helm Releases. */
  public readonly providerHelm?: ApiObject;

  public constructor(scope: Construct, id: string, props: CrossplanePackagesProps = {}) {
    super(scope, id);
    const compositions = props.compositions ?? Composition.findAll(scope.node.root as Construct);
    if (compositions.length === 0) invalid(this, 'compositions', [], 'is empty', 'create the compositions first, or list them');
    const namespace = requireName(this, 'crossplaneNamespace', props.crossplaneNamespace ?? 'crossplane-system');
    const providerConfigName = requireName(this, 'providerConfigName', props.providerConfigName ?? 'in-cluster', 'dns1123-subdomain');
    const labels = (instance: string) => recommendedLabels({ name: 'crossplane-package', instance, component: 'platform-api' });

    this.functions = [...new Set(compositions.flatMap((c) => c.functions))].sort((a, b) => a.name.localeCompare(b.name));
    for (const fn of this.functions) {
      const obj = new FunctionL1(this, `Function-${fn.name}`, { metadata: { name: fn.name, labels: labels(fn.name) }, spec: { package: fn.packageRef } });
      clusterScoped(obj);
      DeployHints.awaitCondition(obj, 'Healthy');
      // A composition whose function is not running yet fails every reconcile: create them after it.
      for (const c of compositions.filter((x) => x.functions.includes(fn))) DeployHints.dependsOn(c.resource, obj);
    }

    const composed = compositions.flatMap((c) => c.composedKinds);
    const groups = new Set(composed.map((k) => k.apiVersion.split('/')[0]));
    const credentials = { credentials: { source: 'InjectedIdentity' } } as any;

    // Compositions that compose a provider's resources are created once the provider can serve them.
    const composing = (providerGroups: string[]) => compositions.filter((c) => c.composedKinds.some((k) => providerGroups.includes(k.apiVersion.split('/')[0])));
    const before = (providerGroups: string[], objects: ApiObject[]) => {
      for (const c of composing(providerGroups)) for (const o of objects) DeployHints.dependsOn(c.resource, o);
    };

    if (OBJECT_GROUPS.some((g) => groups.has(g))) {
      this.providerKubernetes = this.installProvider('provider-kubernetes', PROVIDER_KUBERNETES, OBJECT_GROUPS, labels);
      const configs: ApiObject[] = [];
      if (groups.has('kubernetes.crossplane.io')) {
        configs.push(clusterScoped(new XpProviderConfig(this, 'InClusterProviderConfig', { metadata: { name: providerConfigName, labels: labels(providerConfigName) }, spec: credentials })));
      }
      if (groups.has('kubernetes.m.crossplane.io')) {
        configs.push(clusterScoped(new XpClusterProviderConfig(this, 'InClusterClusterProviderConfig', { metadata: { name: providerConfigName, labels: labels(providerConfigName) }, spec: credentials })));
      }
      // Crossplane's RBAC manager already lets every provider manage Secrets, ConfigMaps and Events; the rest of
      // what the Objects hold is granted here, kind by kind.
      const rbac = this.grant('provider-kubernetes', compositions.flatMap((c) => c.objectManifestKinds), namespace, labels);
      before(OBJECT_GROUPS, [...configs, ...rbac]);
    }

    if (HELM_GROUPS.some((g) => groups.has(g))) {
      if (!props.helmChartKinds?.length) {
        invalid(this, 'helmChartKinds', props.helmChartKinds, 'must list the kinds the composed Helm charts install',
          'provider-helm needs RBAC for them, e.g. [{ apiVersion: "apps/v1", kind: "Deployment" }]');
      }
      this.providerHelm = this.installProvider('provider-helm', PROVIDER_HELM, HELM_GROUPS, labels);
      const configs: ApiObject[] = [];
      if (groups.has('helm.crossplane.io')) {
        configs.push(clusterScoped(new HelmProviderConfig(this, 'HelmProviderConfig', { metadata: { name: providerConfigName, labels: labels(providerConfigName) }, spec: credentials })));
      }
      if (groups.has('helm.m.crossplane.io')) {
        configs.push(clusterScoped(new HelmClusterProviderConfig(this, 'HelmClusterProviderConfig', { metadata: { name: providerConfigName, labels: labels(providerConfigName) }, spec: credentials })));
      }
      before(HELM_GROUPS, [...configs, ...this.grant('provider-helm', props.helmChartKinds, namespace, labels)]);
    }
  }

  /** A provider running as a ServiceAccount of a fixed name (so RBAC can be bound to it), serving `groups`. */
  private installProvider(name: string, packageRef: string, groups: string[], labels: (i: string) => { [k: string]: string }): ApiObject {
    const runtime = clusterScoped(new DeploymentRuntimeConfig(this, `${name}-runtime`, {
      metadata: { name, labels: labels(name) },
      spec: { serviceAccountTemplate: { metadata: { name } } },
    }));
    const provider = new Provider(this, name, {
      metadata: { name, labels: labels(name) },
      spec: { package: packageRef, runtimeConfigRef: { apiVersion: 'pkg.crossplane.io/v1beta1', kind: 'DeploymentRuntimeConfig', name } },
    });
    clusterScoped(provider);
    DeployHints.awaitCondition(provider, 'Healthy');
    DeployHints.dependsOn(provider, runtime);
    for (const g of groups) DeployHints.providesApiGroup(provider, g);
    return provider;
  }

  /** A ClusterRole with exactly these kinds (Secrets, ConfigMaps and Events excepted: Crossplane grants them), bound to the provider. */
  private grant(provider: string, kinds: ComposedKind[], namespace: string, labels: (i: string) => { [k: string]: string }): ApiObject[] {
    const rules = rbacRules(this, kinds.filter((k) => !(k.apiVersion === 'v1' && ['Secret', 'ConfigMap', 'Event'].includes(k.kind))));
    if (rules.length === 0) return [];
    const roleName = `${MANAGED_BY}:${provider}`;
    const role = clusterScoped(new k8s.KubeClusterRole(this, `${provider}-role`, { metadata: { name: roleName, labels: labels(provider) }, rules }));
    const binding = clusterScoped(new k8s.KubeClusterRoleBinding(this, `${provider}-binding`, {
      metadata: { name: roleName, labels: labels(provider) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: provider, namespace }],
    }));
    DeployHints.references(binding, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: roleName });
    return [role, binding];
  }
}

/** One rule per API group, with exactly the resources composed. */
function rbacRules(scope: Construct, kinds: ComposedKind[]): k8s.PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const k of kinds) {
    const plural = pluralOf(k.kind);
    if (!plural) invalid(scope, 'compositions', `${k.apiVersion} ${k.kind}`, 'composes a kind whose RBAC resource name is unknown', 'grant provider-kubernetes access to it yourself');
    const group = k.apiVersion.includes('/') ? k.apiVersion.split('/')[0] : '';
    byGroup.set(group, (byGroup.get(group) ?? new Set()).add(plural));
  }
  return [...byGroup.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([group, plurals]) => ({ apiGroups: [group], resources: [...plurals].sort(), verbs: VERBS }));
}
