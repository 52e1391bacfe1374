/**
 * Pod Security "restricted" for Tekton (v1.15.0). A TaskRun pod holds three kinds of containers:
 *
 * - the Task's steps (and sidecars): a v1 Step takes a full core/v1 SecurityContext, so every step this library
 *   emits carries the restricted container context (`restrictedContainerSecurityContext`);
 * - containers Tekton injects (`prepare`, `place-scripts`, `working-dir-initializer`, the results sidecar): they get
 *   a SecurityContext only when the cluster's `feature-flags` ConfigMap sets `set-security-context: "true"`
 *   (pkg/pod/pod.go, security_context_config.go: allowPrivilegeEscalation false, drop ALL, runAsNonRoot,
 *   seccomp RuntimeDefault). Without it a "restricted" namespace refuses every TaskRun pod. It sets no uid, and the
 *   default shell image of `place-scripts` (cgr.dev/chainguard/busybox) runs as root, so `runAsNonRoot` alone would
 *   make the kubelet refuse it;
 * - hence the pod-level context of every run this library renders (`taskRunTemplate.podTemplate.securityContext`,
 *   a core/v1 PodSecurityContext): a non-zero uid/gid and seccomp RuntimeDefault for every container, injected ones
 *   included. Steps keep their own uid (the image's, e.g. 12345 for grafana/k6).
 */
import { DEFAULT_NON_ROOT_UID, restrictedPodSecurityContext } from '../core/security';

/** The cluster setting Tekton needs for its injected containers to pass Pod Security "restricted". */
export const TEKTON_RESTRICTED_FEATURE_FLAG = { configMap: 'feature-flags', namespace: 'tekton-pipelines', key: 'set-security-context', value: 'true' };

/** The pod-level securityContext of a TaskRun pod (PipelineRun `taskRunTemplate.podTemplate.securityContext`). */
export function tektonPodSecurityContext(uid: number = DEFAULT_NON_ROOT_UID) {
  return restrictedPodSecurityContext({ user: uid, group: uid, fsGroup: uid });
}
