import { Duration } from 'cdk8s';
import { ScaleOptions } from '../knative/autoscaling';

/** Defaults shared by the gateway and the frontend: ready for long-lived connections (WebSockets). */
export const ENTRYPOINT_DEFAULTS = {
  /** Long request timeout; the cluster must allow it (`max-revision-timeout-seconds`, see README). */
  timeout: Duration.hours(1),
  /** Always one pod warm: a cold start would stall every new connection. */
  scale: { min: 1 } as ScaleOptions,
};
