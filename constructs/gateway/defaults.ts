import { Duration } from 'cdk8s';
import { ScaleOptions } from '../knative/autoscaling';

/** Defaults shared by the gateway and the frontend: ready for long-lived connections (WebSockets). */
export const ENTRYPOINT_DEFAULTS = {
  /** Long request timeout; the cluster must allow it (`max-revision-timeout-seconds`, see README). */
  timeout: Duration.hours(1),
  /** Always one pod warm: a cold start would stall every new connection. */
  scale: { min: 1 } as ScaleOptions,
};

/**
 * The gateway's default nginx: nginx-unprivileged 1.28.0 on Alpine (uid 101, listens as non-root), pinned by the
 * digest of its multi-arch image index (README "Default images" says where the digest comes from).
 */
export const GATEWAY_IMAGE = 'docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine@sha256:c97ff0bf7cbae369953c6da1232ec14ad9f971d66360c5698db0856a4cd657a0';
