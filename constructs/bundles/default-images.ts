/**
 * The library's default images, in one place, and the rule that keeps a prod namespace off the ones that are not
 * pinned by digest: a bundle whose profile is prod refuses to fall back on such a default and names the prop that
 * takes an image of your own. Where the upstream publishes a digest the default carries it (README "Default images"
 * says where each digest comes from) and is used in every profile.
 */
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { GATEWAY_IMAGE } from '../gateway/defaults';
import { REDIS_IMAGE } from '../redis/redis';
import { PIPELINE_IMAGE } from '../kratix/image';
import { K6LoadTest } from '../tekton/load-test';
import { Profile } from './profile';

/**
 * Knative's event_display sample (logs each CloudEvent it receives): the default dead-letter and notification
 * function. Knative publishes it with a `latest` tag only, so prod namespaces must name an image of their own.
 */
export const EVENT_DISPLAY_IMAGE = 'gcr.io/knative-releases/knative.dev/eventing/cmd/event_display:latest';

/** Every default image of the library's constructs and bundles, by what runs it. */
export const DEFAULT_IMAGES: { [use: string]: string } = {
  'gateway (ApiGateway)': GATEWAY_IMAGE,
  'key/value store (Redis)': REDIS_IMAGE,
  'load test (K6LoadTest)': K6LoadTest.DEFAULT_IMAGE,
  'dead letters (EventDrivenPlatform), verification alerts (ContinuousVerification)': EVENT_DISPLAY_IMAGE,
  'token verifier (ApiGateway auth), Kratix pipeline (KratixPromise)': PIPELINE_IMAGE,
};

/** Whether an image reference is pinned by a full sha256 digest. */
export function pinnedByDigest(image: string): boolean {
  return /@sha256:[0-9a-f]{64}$/.test(image);
}

/**
 * The image to run where a bundle may fall back on a library default: the given one, else the default, unless the
 * profile is prod and the default is not pinned by digest (a ValidationError naming `prop`).
 */
export function defaultImageFor(scope: IConstruct, profile: Profile, prop: string, given: string | undefined, fallback: string): string {
  if (given !== undefined) return given;
  if (profile === Profile.PROD && !pinnedByDigest(fallback)) {
    invalid(scope, prop, undefined, `must be set in a prod namespace: the library's default (${fallback}) is not pinned by digest`,
      `set ${prop} to an image pinned by digest (e.g. from your registry: "registry.example.com/event-display@sha256:<64 hex digits>")`);
  }
  return fallback;
}
