import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterScoped } from '../core/context';
import { invalid } from '../core/errors';
import { MANAGED_BY, PROFILE_LABEL } from '../core/labels';
import { requireLabels } from '../core/validate';
import { Profile } from './profile';

/** Checks a bundle's profile prop. */
export function requireProfile(scope: Construct, profile: Profile | undefined): Profile {
  const value = profile ?? Profile.DEV;
  if (!Object.values(Profile).includes(value)) invalid(scope, 'profile', value, `must be one of ${Object.values(Profile).join(', ')}`);
  return value;
}

/**
 * The namespace a bundle owns: created with the Pod Security labels given, the managed-by label, the bundle's profile
 * (the policy asks prod namespaces for images by digest) and the user's extra labels, and closed by a default-deny
 * ingress NetworkPolicy (every allow-rule then comes from the wiring).
 */
export function createPlatformNamespace(scope: Construct, name: string, podSecurityLabels: { [key: string]: string },
  extraLabels: { [key: string]: string } | undefined, profile?: Profile): void {
  requireLabels(scope, 'namespaceLabels', extraLabels);
  clusterScoped(new k8s.KubeNamespace(scope, 'Namespace', {
    metadata: {
      name,
      labels: { ...podSecurityLabels, 'app.kubernetes.io/managed-by': MANAGED_BY, ...profile ? { [PROFILE_LABEL]: profile } : {}, ...extraLabels },
    },
  }));
  new kplus.NetworkPolicy(scope, 'DefaultDenyIngress', {
    metadata: { name: 'default-deny-ingress', namespace: name },
    selector: kplus.Pods.all(scope, 'AllPods'),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
}
