import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { requireInteger, requireSeconds } from '../core/validate';

export interface FunctionProbeOptions {
  /** @default - probe immediately */
  readonly initialDelay?: Duration;
  /**
   * How often to probe (whole seconds). Knative allows 0 for readiness: queue-proxy then probes aggressively until
   * ready; liveness and startup probes need at least 1 second.
   * @default 10 seconds (Kubernetes default)
   */
  readonly period?: Duration;
  /** @default 1 second */
  readonly timeout?: Duration;
  /** @default 3 */
  readonly failureThreshold?: number;
  /** @default 1 */
  readonly successThreshold?: number;
}

export interface GrpcProbeOptions extends FunctionProbeOptions {
  /** Service name sent in the health check request. @default - the server's overall health */
  readonly service?: string;
}

/** The probe fields shared by readiness, liveness and startup probes of a Knative container. */
export interface ProbeSpec {
  readonly httpGet?: { readonly path: string };
  readonly tcpSocket?: { readonly host?: string };
  readonly grpc?: { readonly port: number; readonly service?: string };
  readonly exec?: { readonly command: string[] };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
}

/**
 * A health probe of a function. Knative runs readiness probes through queue-proxy on the function's own port, so
 * probes never name a port (it is always the container port).
 */
export class FunctionProbe {
  /** HTTP GET on the function's port; success is a 2xx/3xx status. */
  public static http(path: string, options: FunctionProbeOptions = {}): FunctionProbe {
    return new FunctionProbe('http', options, path);
  }

  /** TCP connect on the function's port. */
  public static tcp(options: FunctionProbeOptions = {}): FunctionProbe {
    return new FunctionProbe('tcp', options);
  }

  /** gRPC health checking protocol on the function's port (functions speaking h2c). */
  public static grpc(options: GrpcProbeOptions = {}): FunctionProbe {
    return new FunctionProbe('grpc', options, undefined, options.service);
  }

  /** A command run in the container; success is exit code 0. */
  public static exec(command: string[], options: FunctionProbeOptions = {}): FunctionProbe {
    return new FunctionProbe('exec', options, undefined, undefined, command);
  }

  private constructor(
    private readonly kind: 'http' | 'tcp' | 'grpc' | 'exec',
    private readonly options: FunctionProbeOptions,
    private readonly path?: string,
    private readonly service?: string,
    private readonly command?: string[],
  ) {}

  /**
   * Renders the probe after checking it; `field` names it in errors (e.g. `readiness`).
   * @internal
   */
  public _render(scope: IConstruct, field: string, port: number): ProbeSpec {
    const o = this.options;
    const timing = {
      initialDelaySeconds: o.initialDelay !== undefined ? requireSeconds(scope, `${field}.initialDelay`, o.initialDelay, { min: 0 }) : undefined,
      periodSeconds: o.period !== undefined ? requireSeconds(scope, `${field}.period`, o.period, { min: 0 }) : undefined,
      timeoutSeconds: o.timeout !== undefined ? requireSeconds(scope, `${field}.timeout`, o.timeout, { min: 1 }) : undefined,
      failureThreshold: o.failureThreshold !== undefined ? requireInteger(scope, `${field}.failureThreshold`, o.failureThreshold, { min: 1 }) : undefined,
      successThreshold: o.successThreshold !== undefined ? requireInteger(scope, `${field}.successThreshold`, o.successThreshold, { min: 1 }) : undefined,
    };
    // Kubernetes reads a period of 0 as "unset" and probes every 10s; only Knative's readiness probe gives 0 a meaning.
    if (field !== 'readiness' && timing.periodSeconds === 0) {
      invalid(scope, `${field}.period`, '0s', 'must be at least 1s for liveness and startup probes (Kubernetes would read 0 as its 10s default)');
    }
    if (field !== 'readiness' && timing.successThreshold !== undefined && timing.successThreshold !== 1) {
      invalid(scope, `${field}.successThreshold`, timing.successThreshold, 'must be 1 for liveness and startup probes (Kubernetes)');
    }
    if (field === 'readiness' && timing.periodSeconds === 0 && (timing.failureThreshold !== undefined || timing.timeoutSeconds !== undefined)) {
      invalid(scope, `${field}.period`, '0s', 'means Knative probes aggressively until ready; failureThreshold and timeout must then be unset');
    }
    switch (this.kind) {
      case 'http':
        if (!this.path || !this.path.startsWith('/') || /\s/.test(this.path)) {
          invalid(scope, `${field}.path`, this.path, 'must be an absolute URL path without spaces', 'e.g. "/healthz"');
        }
        return { httpGet: { path: this.path }, ...timing };
      case 'tcp':
        return { tcpSocket: {}, ...timing };
      case 'grpc':
        return { grpc: { port, ...(this.service ? { service: this.service } : {}) }, ...timing };
      case 'exec':
        if (!this.command || this.command.length === 0) invalid(scope, `${field}.command`, this.command, 'must not be empty');
        return { exec: { command: [...this.command] }, ...timing };
    }
  }
}
