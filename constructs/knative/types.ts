/**
 * Enum-like types of the Knative constructs (jsii-friendly: enums or classes with static members, no string unions).
 */
import { createHash } from 'crypto';

/** Who can reach a function. */
export enum Visibility {
  /** Reachable only inside the cluster (`networking.knative.dev/visibility: cluster-local`). */
  CLUSTER_LOCAL = 'cluster-local',
  /** Reachable through the public ingress (the cluster's Knative domain). */
  PUBLIC = 'public',
}

/** The metric the autoscaler scales a function on. */
export enum ScalingMetric {
  /** In-flight requests per pod (Knative Pod Autoscaler). */
  CONCURRENCY = 'concurrency',
  /** Requests per second per pod (Knative Pod Autoscaler). */
  RPS = 'rps',
  /** CPU utilisation (Kubernetes HPA class; cannot scale to zero). */
  CPU = 'cpu',
  /** Memory per pod in MiB (Kubernetes HPA class; cannot scale to zero). */
  MEMORY = 'memory',
}

/** The HTTP protocol a function's container speaks on its port. */
export enum Protocol {
  /** HTTP/1.1 (port name `http1`). WebSockets work over it. */
  HTTP1 = 'http1',
  /** HTTP/2 without TLS, e.g. gRPC (port name `h2c`). */
  H2C = 'h2c',
}

/** The language/runtime a function is written in, for the polyglot catalog (label `platform-blueprints.io/language`). */
export class Language {
  public static readonly GO = new Language('go');
  public static readonly JAVA = new Language('java');
  public static readonly NODEJS = new Language('nodejs');
  public static readonly TYPESCRIPT = new Language('typescript');
  public static readonly PYTHON = new Language('python');
  public static readonly RUST = new Language('rust');
  public static readonly DOTNET = new Language('dotnet');
  public static readonly RUBY = new Language('ruby');
  /** A web server or proxy rather than a function in a programming language (e.g. nginx). */
  public static readonly PROXY = new Language('proxy');

  /** Any other language; the name must be a valid label value (e.g. `kotlin`). */
  public static of(name: string): Language {
    return new Language(name);
  }

  private constructor(public readonly name: string) {}
}

/**
 * The namespaces of the Knative data plane that must reach function pods: the activator and autoscaler
 * (knative-serving) and the ingress gateway of the networking layer.
 */
export class KnativeDataPlane {
  /** Knative Serving with net-kourier (the networking layer this project installs). */
  public static readonly KOURIER = new KnativeDataPlane(['knative-serving', 'kourier-system'], 'knative-data-plane');
  /** Knative Serving with net-istio. */
  public static readonly ISTIO = new KnativeDataPlane(['knative-serving', 'istio-system'], 'knative-data-plane-istio');
  /** Knative Serving with net-contour. */
  public static readonly CONTOUR = new KnativeDataPlane(['knative-serving', 'contour-internal', 'contour-external'], 'knative-data-plane-contour');

  /** Any other layout; list every namespace whose pods forward traffic to revisions. */
  public static of(namespaces: string[]): KnativeDataPlane {
    const id = createHash('sha256').update([...namespaces].sort().join(',')).digest('hex').slice(0, 8);
    return new KnativeDataPlane(namespaces, `knative-data-plane-${id}`);
  }

  private constructor(
    public readonly namespaces: string[],
    /** Name of the NetworkPolicy that admits this data plane in a namespace. */
    public readonly policyName: string,
  ) {}
}
