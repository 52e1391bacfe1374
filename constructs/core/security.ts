/**
 * Pod Security "restricted" defaults. Every container this library emits gets these unless a prop relaxes the one
 * field that depends on the image (the read-only root filesystem).
 */

/** Security options that depend on the image a container runs. */
export interface ContainerSecurityOptions {
  /**
   * Numeric uid the container runs as. Images whose USER is a name (not a number) are refused by the kubelet under
   * `runAsNonRoot` unless a uid is given here.
   * @default 65532 - the conventional "nonroot" uid of distroless and ko images
   */
  readonly user?: number;
  /**
   * Whether the root filesystem is read-only. Give the program an `emptyDir` for the paths it writes instead of
   * turning this off where possible.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
}

export const DEFAULT_NON_ROOT_UID = 65532;

/** The container-level securityContext for Pod Security "restricted". */
export interface RestrictedSecurityContext {
  readonly runAsNonRoot: boolean;
  readonly runAsUser: number;
  readonly runAsGroup?: number;
  readonly allowPrivilegeEscalation: boolean;
  readonly privileged: boolean;
  readonly readOnlyRootFilesystem: boolean;
  readonly capabilities: { readonly drop: string[] };
  readonly seccompProfile: { readonly type: string };
}

export function restrictedContainerSecurityContext(options: ContainerSecurityOptions & { readonly group?: number } = {}): RestrictedSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: options.user ?? DEFAULT_NON_ROOT_UID,
    ...(options.group !== undefined ? { runAsGroup: options.group } : {}),
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The pod-level securityContext for Pod Security "restricted" (not for Knative, which gates pod-level fields). */
export function restrictedPodSecurityContext(options: { user: number; group: number; fsGroup: number }) {
  return {
    runAsNonRoot: true,
    runAsUser: options.user,
    runAsGroup: options.group,
    fsGroup: options.fsGroup,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
