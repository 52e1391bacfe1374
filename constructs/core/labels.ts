/**
 * Labels and annotations the library puts on what it emits.
 */
import { toLabelValue } from './k8s-rules';

/** Prefix of this project's own labels and annotations. */
export const LABEL_PREFIX = 'platform-blueprints.io';
export const MANAGED_BY = 'platform-blueprints';

/** Language/runtime of a function, for the polyglot catalog. */
export const LANGUAGE_LABEL = `${LABEL_PREFIX}/language`;
/** The sizing profile of the bundle that owns a namespace (`dev`, `prod`); prod namespaces need images by digest. */
export const PROFILE_LABEL = `${LABEL_PREFIX}/profile`;
/** Hash of the configuration a workload reads, so that a config change rolls the workload. */
export const CONFIG_HASH_ANNOTATION = `${LABEL_PREFIX}/config-hash`;

export interface RecommendedLabelOptions {
  /** `app.kubernetes.io/name`: what the application is (e.g. `redis`). */
  readonly name: string;
  /** `app.kubernetes.io/instance`: which one (e.g. `cache`). */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role in the platform (e.g. `key-value-store`). */
  readonly component: string;
  /** `app.kubernetes.io/part-of`. @default - not set */
  readonly partOf?: string;
}

/** The Kubernetes recommended labels (app.kubernetes.io/*); an instance name too long for a label is shortened. */
export function recommendedLabels(options: RecommendedLabelOptions): { [key: string]: string } {
  return {
    'app.kubernetes.io/name': options.name,
    'app.kubernetes.io/instance': toLabelValue(options.instance),
    'app.kubernetes.io/component': options.component,
    ...(options.partOf ? { 'app.kubernetes.io/part-of': options.partOf } : {}),
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}
