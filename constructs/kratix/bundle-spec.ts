/**
 * A bundle as a self-service API: the data-only spec of its props (one schema, built once) and how to build the
 * bundle from a request. The Kratix Promise generator turns a spec into a Promise (its `spec.api` is the schema), the
 * pipeline validates a request against the same schema and builds the bundle with `buildBundle`, and the bundle's own
 * props are what `buildBundle` passes on — so the API an application team sees, the check its request meets and the
 * objects the platform creates cannot drift apart.
 */
import { Construct } from 'constructs';
import { SchemaField } from '../crossplane/schema';

/** A request for a bundle, as Kratix hands it to the pipeline (the resource request object). */
export interface BundleRequest {
  /** `metadata.name` of the request. */
  readonly name: string;
  /** `metadata.namespace` of the request. */
  readonly namespace: string;
  /** `spec` of the request, already validated against the bundle spec's schema (defaults applied). */
  readonly spec: { [field: string]: any };
}

/** What a build tells the requester (written to the request's status by the pipeline). */
export interface BundleBuildResult {
  /** Short human-readable outcome, e.g. `functions platform shop: 2 functions, gateway http://...`. */
  readonly message: string;
  /** Facts worth reading from the request's status: addresses, claim names, namespaces (string values only). */
  readonly outputs: { [key: string]: string };
}

/**
 * What every request of a bundle needs once on its destinations (operators, shared configuration): built by the
 * Promise's `promise.configure` workflow, which Kratix schedules to the Promise's destinations before any request.
 */
export interface IBundlePrerequisites {
  /** Builds the prerequisites into `scope` (a cdk8s Chart of its own). */
  buildPrerequisites(scope: Construct): BundleBuildResult;
}

/** A bundle offered as an API (a Kratix Promise). */
export interface IBundleSpec {
  /** Kind of the request API, e.g. `FunctionsPlatform`. */
  readonly kind: string;
  /** API group of the request API, e.g. `platform.platform-blueprints.io`. */
  readonly group: string;
  /** API version of the request API, e.g. `v1alpha1`. */
  readonly version: string;
  /** Plural of the request API (lowercase), e.g. `functionsplatforms`. */
  readonly plural: string;
  /** What the API offers (the Promise's description). */
  readonly description: string;
  /** Schema of the request's `spec` (an object field). */
  readonly schema: SchemaField;
  /** A valid request `spec`, as `kratix init promise` writes `example-resource.yaml`. */
  readonly example: { [field: string]: unknown };
  /**
   * Builds the bundle into `scope` (a cdk8s Chart of its own) from a request whose spec the schema accepted.
   * Throws a ValidationError (construct path, field, value, fix) for what the constructs refuse.
   */
  buildBundle(scope: Construct, request: BundleRequest): BundleBuildResult;
  /**
   * The Promise-level prerequisites, built by the promise workflow.
   * @default - none: the promise workflow schedules nothing
   */
  readonly prerequisites?: IBundlePrerequisites;
}
