/**
 * The platform policy: what every object this project emits must satisfy, as rules with an id, a message and a fix.
 * One module serves the cdk8s validation plugin (PolicyValidation), the test suite, and anyone who imports it.
 *
 * An object may be exempted from a rule only with a reason, written where reviewers see it: the annotation
 * `policy.platform-blueprints.io/exempt-<rule id>` (e.g. `exempt-pb004: "Knative's samples publish only latest"`).
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { runeCount } from '../core/go-rules';
import { PROFILE_LABEL } from '../core/labels';

/** The rules. */
export enum PolicyRuleId {
  /** Pod Security "restricted" for every pod template. */
  POD_SECURITY = 'PB001',
  /** CPU and memory requests, and a memory limit, on every container. */
  RESOURCES = 'PB002',
  /** A read-only root filesystem on every container (writable paths are emptyDir volumes). */
  READ_ONLY_ROOT = 'PB003',
  /**
   * Images pinned by tag (not `latest`) or digest; by digest in a namespace a prod-profile bundle owns
   * (label `platform-blueprints.io/profile: prod`) and everywhere when `requireDigests`.
   */
  PINNED_IMAGES = 'PB004',
  /** A default-deny ingress NetworkPolicy in every namespace the manifests create. */
  DEFAULT_DENY = 'PB005',
  /** No `*` in RBAC rules. */
  RBAC_WILDCARDS = 'PB006',
  /** No Secret objects with data, no literal values in secret-looking environment variables. */
  LITERAL_SECRETS = 'PB007',
  /** No public Service but the one entrypoint (the gateway) per namespace. */
  PUBLIC_SERVICES = 'PB008',
}

export interface PolicyOptions {
  /**
   * Images must be pinned by digest everywhere.
   * @default false - by digest only in namespaces labelled `platform-blueprints.io/profile: prod`; elsewhere a tag
   * other than `latest` is enough
   */
  readonly requireDigests?: boolean;
  /** Only these rules. @default - all */
  readonly rules?: PolicyRuleId[];
  /**
   * Rules an object may exempt itself from (with a reason), on top of the default ones.
   * @default - every rule but PB001 (Pod Security) and PB006 (RBAC), whose exemptions are violations
   */
  readonly allowExemptions?: PolicyRuleId[];
}

/** Rules no object may exempt itself from unless `allowExemptions` names them: the ones that guard the cluster. */
const NOT_EXEMPTABLE = [PolicyRuleId.POD_SECURITY, PolicyRuleId.RBAC_WILDCARDS];

/** One object that breaks one rule. */
export interface PolicyViolation {
  readonly ruleId: PolicyRuleId;
  /** Short name of the rule, e.g. `pod-security-restricted`. */
  readonly rule: string;
  /** What is wrong, naming the object and the field. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** JSON paths of the offending fields, e.g. `/spec/template/spec/containers/0/image`. */
  readonly locations: string[];
}

/** The annotation that exempts an object from a rule; its value is the reason. */
export const EXEMPTION_PREFIX = 'policy.platform-blueprints.io/exempt-';
/** The annotation that marks a Knative Service as its namespace's public entrypoint (set by ApiGateway and Frontend). */
export const PUBLIC_ENTRYPOINT_ANNOTATION = 'platform-blueprints.io/public-entrypoint';

interface RuleSpec {
  readonly id: PolicyRuleId;
  readonly name: string;
  readonly fix: string;
}

const RULES: { [id: string]: RuleSpec } = {
  [PolicyRuleId.POD_SECURITY]: {
    id: PolicyRuleId.POD_SECURITY, name: 'pod-security-restricted',
    fix: 'run as a non-root uid with runAsNonRoot, allowPrivilegeEscalation false, capabilities drop ALL, seccomp RuntimeDefault; no host namespaces, ports or paths (the constructs set all of this)',
  },
  [PolicyRuleId.RESOURCES]: {
    id: PolicyRuleId.RESOURCES, name: 'resources-set',
    fix: 'set resources.requests.cpu, resources.requests.memory and resources.limits.memory on every container',
  },
  [PolicyRuleId.READ_ONLY_ROOT]: {
    id: PolicyRuleId.READ_ONLY_ROOT, name: 'read-only-root-filesystem',
    fix: 'set readOnlyRootFilesystem: true and mount an emptyDir where the program writes (KnativeFunction writablePaths), or exempt the object with a reason',
  },
  [PolicyRuleId.PINNED_IMAGES]: {
    id: PolicyRuleId.PINNED_IMAGES, name: 'pinned-images',
    fix: 'pin the image by a version tag or a digest (@sha256:...; in prod namespaces by digest), or exempt the object with a reason',
  },
  [PolicyRuleId.DEFAULT_DENY]: {
    id: PolicyRuleId.DEFAULT_DENY, name: 'default-deny-ingress',
    fix: 'add a NetworkPolicy selecting every pod of the namespace (podSelector {}) with policyTypes [Ingress] and no ingress rules; let peers in by pod and namespace selectors, never with a rule without "from" or an ipBlock of the whole internet',
  },
  [PolicyRuleId.RBAC_WILDCARDS]: {
    id: PolicyRuleId.RBAC_WILDCARDS, name: 'no-rbac-wildcards',
    fix: 'list the API groups, resources and verbs the subject needs instead of "*"; bind roles of your own, not cluster-admin, admin or edit; grant escalate, bind or impersonate only to the platform',
  },
  [PolicyRuleId.LITERAL_SECRETS]: {
    id: PolicyRuleId.LITERAL_SECRETS, name: 'no-literal-secrets',
    fix: 'create the Secret at deploy time (DeployTimeSecret, Pulumi) and reference it (secretKeyRef); never write its value into a manifest',
  },
  [PolicyRuleId.PUBLIC_SERVICES]: {
    id: PolicyRuleId.PUBLIC_SERVICES, name: 'single-public-entrypoint',
    fix: 'keep functions cluster-local (networking.knative.dev/visibility: cluster-local) behind the ApiGateway; no LoadBalancer or NodePort Services; map domains to the entrypoint only',
  },
};

const SECRET_ENV = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;
/** A URL with a password in it (`scheme://user:password@host`); `$(VAR)` references are expanded from Secrets. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:(?!\$\()[^/\s@]+@/i;
/** Cluster roles whose binding hands out broad or cluster-wide power. */
const POWERFUL_CLUSTER_ROLES = ['cluster-admin', 'admin', 'edit'];
/** Verbs that let a subject gain permissions it does not have. */
const ESCALATING_VERBS = ['escalate', 'bind', 'impersonate'];
const SAFE_CAPABILITIES = ['NET_BIND_SERVICE'];
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** Where the pod template of a kind is, as a path. */
const POD_SPEC_PATHS: { [kind: string]: string[] } = {
  'v1/Pod': ['spec'],
  'apps/v1/Deployment': ['spec', 'template', 'spec'],
  'apps/v1/StatefulSet': ['spec', 'template', 'spec'],
  'apps/v1/DaemonSet': ['spec', 'template', 'spec'],
  'apps/v1/ReplicaSet': ['spec', 'template', 'spec'],
  'batch/v1/Job': ['spec', 'template', 'spec'],
  'batch/v1/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  'serving.knative.dev/v1/Service': ['spec', 'template', 'spec'],
  'serving.knative.dev/v1/Configuration': ['spec', 'template', 'spec'],
  'serving.knative.dev/v1/Revision': ['spec'],
  'sources.knative.dev/v1/ContainerSource': ['spec', 'template', 'spec'],
  // The operator builds the StatefulSet; the override holds the security settings the library sets.
  'rabbitmq.com/v1beta1/RabbitmqCluster': ['spec', 'override', 'statefulSet', 'spec', 'template', 'spec'],
  // A Tekton Task's steps and sidecars become the containers of each TaskRun pod.
  'tekton.dev/v1/Task': ['spec'],
};
/** Where the containers of a kind are listed, when not in `initContainers` and `containers`. */
const CONTAINER_LISTS: { [kind: string]: string[] } = {
  'tekton.dev/v1/Task': ['steps', 'sidecars'],
};
/** Kinds whose pod template is completed by an operator: containers are checked where present, not required. */
const PARTIAL_TEMPLATES = ['rabbitmq.com/v1beta1/RabbitmqCluster'];

function at(obj: any, path: string[]): any {
  return path.reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

/** A rule of the platform policy, as `PlatformPolicy.rules()` lists it. */
export interface PolicyRuleInfo {
  readonly id: PolicyRuleId;
  readonly name: string;
  /** How to comply. */
  readonly fix: string;
}

/**
 * The platform policy (see the module comment).
 */
export class PlatformPolicy {
  /** Every rule, with its name and fix. */
  public static rules(): PolicyRuleInfo[] {
    return Object.values(RULES).map((r) => ({ id: r.id, name: r.name, fix: r.fix }));
  }

  /**
   * Exempts an object from a rule, with the reason reviewers will read (the annotation
   * `policy.platform-blueprints.io/exempt-<rule id>`).
   */
  public static exempt(obj: ApiObject, rule: PolicyRuleId, reason: string): void {
    if (!Object.values(PolicyRuleId).includes(rule)) invalid(obj, 'exempt.rule', rule, `must be one of ${Object.values(PolicyRuleId).join(', ')}`);
    if (typeof reason !== 'string' || runeCount(reason.trim()) < 10) {
      invalid(obj, `exempt.${rule}`, reason, 'needs a reason of at least 10 characters', 'say why the rule cannot hold for this object');
    }
    obj.metadata.addAnnotation(`${EXEMPTION_PREFIX}${rule.toLowerCase()}`, reason.trim());
  }

  /** Checks objects (synthesized manifests) and returns every violation, in object order. */
  public static check(objects: any[], options: PolicyOptions = {}): PolicyViolation[] {
    const enabled = new Set(options.rules ?? Object.values(PolicyRuleId));
    const prodNamespaces = new Set(objects.filter((o) => o?.apiVersion === 'v1' && o.kind === 'Namespace'
      && o.metadata?.labels?.[PROFILE_LABEL] === 'prod').map((o) => o.metadata.name));
    const out: PolicyViolation[] = [];
    const exemptable = (id: PolicyRuleId): boolean => !NOT_EXEMPTABLE.includes(id) || (options.allowExemptions ?? []).includes(id);
    const report = (obj: any, id: PolicyRuleId, message: string, locations: string[]) => {
      if (!enabled.has(id)) return;
      const exemption = obj.metadata?.annotations?.[`${EXEMPTION_PREFIX}${id.toLowerCase()}`];
      if (typeof exemption === 'string' && runeCount(exemption.trim()) >= 10 && exemptable(id)) return;
      out.push({
        ruleId: id, rule: RULES[id].name, fix: RULES[id].fix, message: `${describe(obj)}: ${message}`,
        apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name, locations,
      });
    };
    for (const obj of objects) {
      if (!obj || typeof obj !== 'object') continue;
      for (const [key, value] of Object.entries<any>(obj.metadata?.annotations ?? {})) {
        if (!key.startsWith(EXEMPTION_PREFIX)) continue;
        const id = key.slice(EXEMPTION_PREFIX.length).toUpperCase() as PolicyRuleId;
        const location = [`/metadata/annotations/${key.replace(/\//g, '~1')}`];
        if (!RULES[id]) continue;
        if (!exemptable(id)) report(obj, id, `exempts itself from ${id}, which cannot be exempted (PolicyOptions.allowExemptions)`, location);
        else if (typeof value !== 'string' || runeCount(value.trim()) < 10) report(obj, id, `exempts itself from ${id} without a reason (${JSON.stringify(value)})`, location);
      }
      const digestsBecause = options.requireDigests ? 'requireDigests is set'
        : prodNamespaces.has(obj.metadata?.namespace) ? `namespace ${obj.metadata.namespace} is prod` : undefined;
      checkPods(obj, digestsBecause, report);
      checkRbac(obj, report);
      checkSecrets(obj, report);
      checkServices(obj, report);
    }
    checkNetworkPolicies(objects, report);
    checkEntrypoints(objects, report);
    return out;
  }

  /** Throws a ValidationError listing the violations of the objects under a scope (for tests and custom pipelines). */
  public static assertCompliant(scope: IConstruct, objects: any[], options: PolicyOptions = {}): void {
    const violations = PlatformPolicy.check(objects, options);
    if (violations.length) {
      invalid(scope, 'policy', violations.length, `violation(s): ${violations.map((v) => `[${v.ruleId} ${v.rule}] ${v.message}`).join('; ')}`);
    }
  }

  private constructor() {}
}

type Report = (obj: any, id: PolicyRuleId, message: string, locations: string[]) => void;

function describe(obj: any): string {
  return `${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`;
}

/** `digestsBecause`: why images must be pinned by digest here, if they must. */
function checkPods(obj: any, digestsBecause: string | undefined, report: Report): void {
  const kindKey = `${obj.apiVersion}/${obj.kind}`;
  const specPath = POD_SPEC_PATHS[kindKey];
  if (!specPath) return;
  if (kindKey === 'rabbitmq.com/v1beta1/RabbitmqCluster') {
    checkRabbitmqResources(obj, report);
    // Without spec.image the operator runs the image its release pins; a given one is checked like any other.
    if (obj.spec?.image !== undefined) checkImage(obj, 'the RabbitMQ image', obj.spec.image, '/spec/image', digestsBecause, report);
  }
  const spec = at(obj, specPath);
  const base = `/${specPath.join('/')}`;
  const partial = PARTIAL_TEMPLATES.includes(kindKey);
  if (!spec) {
    if (!partial) report(obj, PolicyRuleId.POD_SECURITY, 'has no pod template', [base]);
    return;
  }
  const pod = spec.securityContext ?? {};
  const podSeccomp = pod.seccompProfile?.type;
  if (podSeccomp !== undefined && !['RuntimeDefault', 'Localhost'].includes(podSeccomp)) {
    report(obj, PolicyRuleId.POD_SECURITY, `sets the pod's seccomp profile to ${podSeccomp}`, [`${base}/securityContext/seccompProfile/type`]);
  }
  if (pod.runAsUser === 0) report(obj, PolicyRuleId.POD_SECURITY, 'runs its pod as uid 0', [`${base}/securityContext/runAsUser`]);
  for (const hostField of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[hostField] === true) report(obj, PolicyRuleId.POD_SECURITY, `shares the host's namespace (${hostField})`, [`${base}/${hostField}`]);
  }
  (spec.volumes ?? []).forEach((v: any, i: number) => {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUMES.includes(type)) report(obj, PolicyRuleId.POD_SECURITY, `mounts a ${type} volume (${v.name})`, [`${base}/volumes/${i}`]);
  });
  const lists = CONTAINER_LISTS[kindKey] ?? ['initContainers', 'containers'];
  const containers = lists.flatMap((list) => (spec[list] ?? []).map((c: any, i: number) => ({ c, path: `${base}/${list}/${i}` })));
  if (!partial && containers.length === 0) report(obj, PolicyRuleId.POD_SECURITY, 'has no containers', [`${base}/${CONTAINER_LISTS[kindKey]?.[0] ?? 'containers'}`]);
  for (const { c, path } of containers) {
    const sc = c.securityContext ?? {};
    const name = `container ${c.name ?? '(unnamed)'}`;
    const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    const uid = sc.runAsUser ?? pod.runAsUser;
    if (nonRoot !== true) report(obj, PolicyRuleId.POD_SECURITY, `${name} does not set runAsNonRoot: true`, [`${path}/securityContext/runAsNonRoot`]);
    if (uid === 0) report(obj, PolicyRuleId.POD_SECURITY, `${name} runs as uid 0`, [`${path}/securityContext/runAsUser`]);
    if (sc.privileged === true) report(obj, PolicyRuleId.POD_SECURITY, `${name} is privileged`, [`${path}/securityContext/privileged`]);
    if (sc.allowPrivilegeEscalation !== false) report(obj, PolicyRuleId.POD_SECURITY, `${name} does not set allowPrivilegeEscalation: false`, [`${path}/securityContext/allowPrivilegeEscalation`]);
    const drop: string[] = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) report(obj, PolicyRuleId.POD_SECURITY, `${name} does not drop ALL capabilities`, [`${path}/securityContext/capabilities/drop`]);
    const added = (sc.capabilities?.add ?? []).filter((cap: string) => !SAFE_CAPABILITIES.includes(cap));
    if (added.length) report(obj, PolicyRuleId.POD_SECURITY, `${name} adds capabilities ${added.join(', ')}`, [`${path}/securityContext/capabilities/add`]);
    const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) report(obj, PolicyRuleId.POD_SECURITY, `${name} has no RuntimeDefault or Localhost seccomp profile`, [`${path}/securityContext/seccompProfile`]);
    (c.ports ?? []).forEach((p: any, i: number) => {
      if (p.hostPort !== undefined && p.hostPort !== 0) report(obj, PolicyRuleId.POD_SECURITY, `${name} binds host port ${p.hostPort}`, [`${path}/ports/${i}/hostPort`]);
    });

    if (!partial) {
      // Tekton v1 calls a step's resources computeResources.
      const r = c.resources ?? c.computeResources ?? {};
      const missing = [
        r.requests?.cpu === undefined ? 'requests.cpu' : undefined,
        r.requests?.memory === undefined ? 'requests.memory' : undefined,
        r.limits?.memory === undefined ? 'limits.memory' : undefined,
      ].filter(Boolean);
      if (missing.length) report(obj, PolicyRuleId.RESOURCES, `${name} sets no ${missing.join(', ')}`, [`${path}/resources`]);
    }
    if (sc.readOnlyRootFilesystem !== true) report(obj, PolicyRuleId.READ_ONLY_ROOT, `${name} has a writable root filesystem`, [`${path}/securityContext/readOnlyRootFilesystem`]);
    if (!partial || c.image !== undefined) checkImage(obj, name, c.image, `${path}/image`, digestsBecause, report);
    (c.env ?? []).forEach((e: any, i: number) => {
      if (SECRET_ENV.test(e.name ?? '') && typeof e.value === 'string' && e.value !== '') {
        report(obj, PolicyRuleId.LITERAL_SECRETS, `${name} sets ${e.name} to a literal value`, [`${path}/env/${i}/value`]);
      } else if (typeof e.value === 'string' && URL_WITH_PASSWORD.test(e.value)) {
        report(obj, PolicyRuleId.LITERAL_SECRETS, `${name} sets ${e.name} to a URL with a password in it`, [`${path}/env/${i}/value`]);
      }
    });
  }
}

function checkRabbitmqResources(obj: any, report: Report): void {
  const r = obj.spec?.resources ?? {};
  if (r.requests?.cpu === undefined || r.requests?.memory === undefined || r.limits?.memory === undefined) {
    report(obj, PolicyRuleId.RESOURCES, 'sets no complete resources (requests.cpu, requests.memory, limits.memory) for its nodes', ['/spec/resources']);
  }
}

function checkImage(obj: any, name: string, image: unknown, location: string, digestsBecause: string | undefined, report: Report): void {
  if (typeof image !== 'string' || image === '') {
    report(obj, PolicyRuleId.PINNED_IMAGES, `${name} has no image`, [location]);
    return;
  }
  const digest = /@sha256:[0-9a-f]{64}$/.test(image);
  if (image.includes('@') && !digest) {
    report(obj, PolicyRuleId.PINNED_IMAGES, `${name} uses ${image}, whose digest is not a full @sha256:<64 hex digits>`, [location]);
    return;
  }
  const lastSegment = image.split('/').pop()!;
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop()!.split('@')[0] : undefined;
  if (digestsBecause && !digest) report(obj, PolicyRuleId.PINNED_IMAGES, `${name} uses ${image}, not pinned by digest (${digestsBecause})`, [location]);
  else if (!digest && (tag === undefined || tag === 'latest')) report(obj, PolicyRuleId.PINNED_IMAGES, `${name} uses ${image}, which is not pinned (${tag ?? 'no tag'})`, [location]);
}

function checkRbac(obj: any, report: Report): void {
  if (obj.apiVersion !== 'rbac.authorization.k8s.io/v1') return;
  if (['RoleBinding', 'ClusterRoleBinding'].includes(obj.kind) && obj.roleRef?.kind === 'ClusterRole' && POWERFUL_CLUSTER_ROLES.includes(obj.roleRef?.name)) {
    report(obj, PolicyRuleId.RBAC_WILDCARDS, `binds the built-in ClusterRole ${obj.roleRef.name}`, ['/roleRef/name']);
  }
  if (!['Role', 'ClusterRole'].includes(obj.kind)) return;
  (obj.rules ?? []).forEach((rule: any, i: number) => {
    for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs']) {
      if ((rule[field] ?? []).includes('*')) report(obj, PolicyRuleId.RBAC_WILDCARDS, `rule ${i} grants "*" in ${field}`, [`/rules/${i}/${field}`]);
    }
    const escalating = (rule.verbs ?? []).filter((v: string) => ESCALATING_VERBS.includes(v));
    if (escalating.length) report(obj, PolicyRuleId.RBAC_WILDCARDS, `rule ${i} grants ${escalating.join(', ')}`, [`/rules/${i}/verbs`]);
  });
}

function checkSecrets(obj: any, report: Report): void {
  if (obj.apiVersion === 'v1' && obj.kind === 'Secret') {
    for (const field of ['data', 'stringData']) {
      if (obj[field] && Object.keys(obj[field]).length) report(obj, PolicyRuleId.LITERAL_SECRETS, `holds values in ${field}`, [`/${field}`]);
    }
  }
}

function checkServices(obj: any, report: Report): void {
  if (obj.apiVersion === 'v1' && obj.kind === 'Service' && ['LoadBalancer', 'NodePort'].includes(obj.spec?.type)) {
    report(obj, PolicyRuleId.PUBLIC_SERVICES, `is a ${obj.spec.type} Service, reachable from outside the cluster`, ['/spec/type']);
  }
  if (obj.apiVersion === 'serving.knative.dev/v1' && obj.kind === 'Service') {
    const local = obj.metadata?.labels?.['networking.knative.dev/visibility'] === 'cluster-local';
    const entrypoint = obj.metadata?.annotations?.[PUBLIC_ENTRYPOINT_ANNOTATION] === 'true';
    if (!local && !entrypoint) report(obj, PolicyRuleId.PUBLIC_SERVICES, 'is public but is not the namespace\'s entrypoint', ['/metadata/labels']);
  }
}

function checkEntrypoints(objects: any[], report: Report): void {
  const byNamespace = new Map<string, any[]>();
  for (const o of objects) {
    if (o?.apiVersion === 'serving.knative.dev/v1' && o.kind === 'Service' && o.metadata?.annotations?.[PUBLIC_ENTRYPOINT_ANNOTATION] === 'true'
      && o.metadata?.labels?.['networking.knative.dev/visibility'] !== 'cluster-local') {
      const ns = o.metadata.namespace ?? '';
      byNamespace.set(ns, [...byNamespace.get(ns) ?? [], o]);
    }
  }
  for (const [, entrypoints] of byNamespace) {
    for (const extra of entrypoints.slice(1)) {
      report(extra, PolicyRuleId.PUBLIC_SERVICES, `is a second public entrypoint in its namespace (the first is ${entrypoints[0].metadata.name})`, ['/metadata/annotations']);
    }
  }
  // A DomainMapping publishes whatever it points at, cluster-local or not.
  for (const m of objects) {
    if (m?.apiVersion !== 'serving.knative.dev/v1beta1' || m.kind !== 'DomainMapping') continue;
    const ref = m.spec?.ref ?? {};
    const ns = ref.namespace ?? m.metadata?.namespace ?? '';
    const isEntrypoint = ref.kind === 'Service' && (ref.apiVersion ?? 'serving.knative.dev/v1') === 'serving.knative.dev/v1'
      && (byNamespace.get(ns) ?? []).some((e) => e.metadata?.name === ref.name);
    if (!isEntrypoint) report(m, PolicyRuleId.PUBLIC_SERVICES, `maps ${m.metadata?.name} to ${ref.kind ?? '?'} ${ns}/${ref.name ?? '?'}, which is not the namespace's public entrypoint`, ['/spec/ref']);
  }
}

/** A label selector that selects everything (`{}`): no labels, no expressions. */
function selectsAll(selector: any): boolean {
  return selector !== undefined && selector !== null && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/**
 * PB005 over the NetworkPolicies, in one pass: every namespace the manifests create has a default deny (all pods,
 * ingress, no rules), and no rule admits everyone, which would undo it.
 */
function checkNetworkPolicies(objects: any[], report: Report): void {
  const denied = new Set<string>();
  for (const o of objects) {
    if (o?.apiVersion !== 'networking.k8s.io/v1' || o.kind !== 'NetworkPolicy') continue;
    const ingress: any[] = o.spec?.ingress ?? [];
    if (selectsAll(o.spec?.podSelector) && (o.spec.policyTypes ?? []).includes('Ingress') && ingress.length === 0) denied.add(o.metadata?.namespace);
    ingress.forEach((rule: any, i: number) => {
      const from: any[] = rule?.from ?? [];
      if (from.length === 0) {
        report(o, PolicyRuleId.DEFAULT_DENY, `ingress rule ${i} has no "from": it admits every source`, [`/spec/ingress/${i}`]);
        return;
      }
      from.forEach((peer: any, j: number) => {
        const everyNamespace = selectsAll(peer.namespaceSelector) && (peer.podSelector === undefined || selectsAll(peer.podSelector));
        const internet = ['0.0.0.0/0', '::/0'].includes(peer.ipBlock?.cidr);
        if (everyNamespace || internet) {
          report(o, PolicyRuleId.DEFAULT_DENY, `ingress rule ${i} admits ${internet ? 'every address' : 'every pod of every namespace'}`, [`/spec/ingress/${i}/from/${j}`]);
        }
      });
    });
  }
  for (const ns of objects.filter((o) => o?.apiVersion === 'v1' && o.kind === 'Namespace')) {
    if (!denied.has(ns.metadata?.name)) report(ns, PolicyRuleId.DEFAULT_DENY, 'has no default-deny ingress NetworkPolicy', ['/metadata/name']);
  }
}
