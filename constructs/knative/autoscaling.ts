/**
 * Knative autoscaling options and their mapping to the `autoscaling.knative.dev/*` revision annotations, with the
 * rules the Knative webhook enforces checked up front.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { requireInteger, requireNumber, requireSeconds, showDuration } from '../core/validate';
import { ScalingMetric } from './types';

export interface ScaleOptions {
  /**
   * Fewest pods kept running. 0 lets the function scale to zero when idle.
   * @default 0 - scales to zero when idle (1 for the CPU and MEMORY metrics, which use the HPA)
   */
  readonly min?: number;
  /**
   * Most pods. 0 means no bound beyond the cluster's `max-scale-limit`.
   * @default 0 - unbounded
   */
  readonly max?: number;
  /**
   * Pods started when a revision is created.
   * @default 1 (Knative default)
   */
  readonly initial?: number;
  /**
   * The per-pod target of the metric: in-flight requests (CONCURRENCY), requests per second (RPS), percent of the
   * CPU request (CPU), or MiB of memory per pod (MEMORY).
   * @default - Knative's default for the metric (100 concurrent requests, 200 rps)
   */
  readonly target?: number;
  /**
   * The metric to scale on.
   * @default ScalingMetric.CONCURRENCY
   */
  readonly metric?: ScalingMetric;
  /**
   * Percentage of the target at which to scale out early (1..100).
   * @default 70 (Knative default)
   */
  readonly targetUtilizationPercentage?: number;
  /**
   * How long to wait before scaling down (0..1h, whole seconds). KPA metrics only.
   * @default - no delay
   */
  readonly scaleDownDelay?: Duration;
  /**
   * The stable window the autoscaler averages over (6s..1h, whole seconds). KPA metrics only.
   * @default 60 seconds (Knative default)
   */
  readonly window?: Duration;
  /**
   * Pods started when scaling from zero (>= 2; below that, use `min`).
   * @default 1 (Knative default)
   */
  readonly activationScale?: number;
}

const PREFIX = 'autoscaling.knative.dev';

/** Checks the options and returns the revision annotations they stand for. */
export function autoscalingAnnotations(scope: IConstruct, options: ScaleOptions = {}): { [key: string]: string } {
  const metric = options.metric ?? ScalingMetric.CONCURRENCY;
  const hpa = metric === ScalingMetric.CPU || metric === ScalingMetric.MEMORY;
  const min = requireInteger(scope, 'scale.min', options.min ?? (hpa ? 1 : 0), { min: 0 });
  const max = requireInteger(scope, 'scale.max', options.max ?? 0, { min: 0 });
  if (max !== 0 && min > max) invalid(scope, 'scale.min', min, `must be <= scale.max (${max})`, 'raise scale.max or lower scale.min');
  if (hpa && min < 1) {
    invalid(scope, 'scale.min', min, `must be >= 1 with metric ${metric}`, 'the HPA class cannot scale to zero; use CONCURRENCY or RPS to scale to zero');
  }
  const a: { [key: string]: string } = { [`${PREFIX}/min-scale`]: String(min) };
  if (max !== 0) a[`${PREFIX}/max-scale`] = String(max);
  if (options.initial !== undefined) {
    const initial = requireInteger(scope, 'scale.initial', options.initial, { min: 1 });
    // Library policy: Knative accepts initial-scale above max-scale and then caps the revision at max-scale
    // (pkg/reconciler/autoscaling/kpa/scaler.go applyBounds), so such a value is a mistake, not a request.
    if (max !== 0 && initial > max) {
      invalid(scope, 'scale.initial', initial, `must be <= scale.max (${max})`, 'Knative would start at most scale.max pods anyway (library rule)');
    }
    a[`${PREFIX}/initial-scale`] = String(initial);
  }
  if (options.activationScale !== undefined) {
    const activation = requireInteger(scope, 'scale.activationScale', options.activationScale, { min: 2 });
    if (max !== 0 && activation > max) invalid(scope, 'scale.activationScale', activation, `must be <= scale.max (${max})`);
    // Knative refuses an activation scale below min-scale (pkg/apis/autoscaling/annotation_validation.go).
    if (activation < min) invalid(scope, 'scale.activationScale', activation, `must be >= scale.min (${min})`, 'raise scale.activationScale or lower scale.min');
    a[`${PREFIX}/activation-scale`] = String(activation);
  }
  a[`${PREFIX}/metric`] = metric;
  if (hpa) a[`${PREFIX}/class`] = 'hpa.autoscaling.knative.dev';
  if (options.target !== undefined) {
    const target = requireNumber(scope, 'scale.target', options.target, { min: 0.01 });
    if (metric === ScalingMetric.CPU && target > 100) invalid(scope, 'scale.target', target, 'must be a percentage (<= 100) with metric cpu');
    a[`${PREFIX}/target`] = String(target);
  }
  if (options.targetUtilizationPercentage !== undefined) {
    const pct = requireNumber(scope, 'scale.targetUtilizationPercentage', options.targetUtilizationPercentage, { min: 1, max: 100 });
    a[`${PREFIX}/target-utilization-percentage`] = String(pct);
  }
  if (options.scaleDownDelay !== undefined) {
    if (hpa) invalid(scope, 'scale.scaleDownDelay', showDuration(options.scaleDownDelay), `is not supported with metric ${metric} (HPA class)`);
    const s = requireSeconds(scope, 'scale.scaleDownDelay', options.scaleDownDelay, { min: 0, max: 3600 });
    a[`${PREFIX}/scale-down-delay`] = `${s}s`;
  }
  if (options.window !== undefined) {
    if (hpa) invalid(scope, 'scale.window', showDuration(options.window), `is not supported with metric ${metric} (HPA class)`);
    const s = requireSeconds(scope, 'scale.window', options.window, { min: 6, max: 3600 });
    a[`${PREFIX}/window`] = `${s}s`;
  }
  return a;
}
