/**
 * The namespaces bundles create, registered in the app's model: a namespace is created once. A second bundle (or
 * team space) on the same namespace must say so (`shareNamespace: true`); then one Namespace object comes out, with one
 * set of labels that serves every member: Pod Security enforced at the least strict level a member needs (audited and
 * warned at "restricted"), one profile, every member's extra labels. Without it, the second is a ValidationError that
 * names both.
 */
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterScoped } from '../core/context';
import { invalid } from '../core/errors';
import { MANAGED_BY, PROFILE_LABEL } from '../core/labels';
import { PlatformModel } from '../core/model';
import { requireLabels } from '../core/validate';
import { Profile } from './profile';

/** The Pod Security Standard a namespace enforces. */
export enum PodSecurityLevel {
  /** Hardened pods only (non-root, no privilege escalation, capabilities dropped, seccomp). */
  RESTRICTED = 'restricted',
  /** Known privilege escalations refused; for upstream pods that do not meet "restricted" (eventing-rabbitmq's). */
  BASELINE = 'baseline',
}

/** Checks a bundle's profile prop. */
export function requireProfile(scope: Construct, profile: Profile | undefined): Profile {
  const value = profile ?? Profile.DEV;
  if (!Object.values(Profile).includes(value)) invalid(scope, 'profile', value, `must be one of ${Object.values(Profile).join(', ')}`);
  return value;
}

/** What a member of a namespace needs from it. */
export interface NamespaceMembership {
  /** The least strict Pod Security level the member's pods need. */
  readonly podSecurity: PodSecurityLevel;
  /** @default - none: the member does not size by profile */
  readonly profile?: Profile;
  /** @default - none */
  readonly labels?: { [key: string]: string };
  /** The member joins a namespace another construct of the app creates, or creates it for others to join. @default false */
  readonly shared?: boolean;
}

interface Member extends NamespaceMembership {
  readonly scope: Construct;
}

interface NamespaceRecord {
  readonly object: k8s.KubeNamespace;
  readonly members: Member[];
}

const LEVELS = [PodSecurityLevel.RESTRICTED, PodSecurityLevel.BASELINE];

/** The labels of a namespace with these members, in a stable order. */
function namespaceLabels(members: Member[]): { [key: string]: string } {
  const enforce = members.map((m) => m.podSecurity).reduce((a, b) => (LEVELS.indexOf(b) > LEVELS.indexOf(a) ? b : a), PodSecurityLevel.RESTRICTED);
  const profile = members.find((m) => m.profile !== undefined)?.profile;
  return {
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/audit': PodSecurityLevel.RESTRICTED,
    'pod-security.kubernetes.io/warn': PodSecurityLevel.RESTRICTED,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    ...profile ? { [PROFILE_LABEL]: profile } : {},
    ...Object.assign({}, ...members.map((m) => m.labels ?? {})),
  };
}

/**
 * Declares that `scope` needs namespace `name` (see the module comment): the first declaration creates the
 * Namespace (in `scope`, id `Namespace`) and a default-deny ingress NetworkPolicy (every allow-rule then comes from
 * the wiring); later ones join it, when it is shared.
 */
export function declareNamespace(scope: Construct, name: string, membership: NamespaceMembership): void {
  requireLabels(scope, 'namespaceLabels', membership.labels);
  const model = PlatformModel.of(scope);
  const member: Member = { ...membership, scope };
  const existing = model._namespace<NamespaceRecord>(name);
  if (!existing) {
    const object = clusterScoped(new k8s.KubeNamespace(scope, 'Namespace', { metadata: { name, labels: namespaceLabels([member]) } }));
    new kplus.NetworkPolicy(scope, 'DefaultDenyIngress', {
      metadata: { name: 'default-deny-ingress', namespace: name },
      selector: kplus.Pods.all(scope, 'AllPods'),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    model._setNamespace<NamespaceRecord>(name, { object, members: [member] });
    return;
  }
  const owner = existing.members.find((m) => !m.shared);
  if (!member.shared && owner) {
    invalid(scope, 'namespace', name, `is already created by ${owner.scope.node.path}; two constructs cannot both create it`,
      'set shareNamespace: true on the one that joins it (one Namespace then serves both)');
  }
  const other = existing.members.find((m) => m.profile !== undefined && membership.profile !== undefined && m.profile !== membership.profile);
  if (other) {
    invalid(scope, 'profile', membership.profile, `differs from the ${other.profile} profile of ${other.scope.node.path}, which shares namespace ${name}`,
      'a namespace has one profile: give both the same, or use two namespaces');
  }
  for (const [key, value] of Object.entries(membership.labels ?? {})) {
    const clash = existing.members.find((m) => m.labels?.[key] !== undefined && m.labels[key] !== value);
    if (clash) invalid(scope, `namespaceLabels.${key}`, value, `differs from "${clash.labels![key]}" set by ${clash.scope.node.path} on the shared namespace ${name}`);
  }
  existing.members.push(member);
  for (const [key, value] of Object.entries(namespaceLabels(existing.members))) existing.object.metadata.addLabel(key, value);
}
