import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from '../core/errors';
import { requireInteger, requireSeconds } from '../core/validate';

export interface FunctionProbeOptions {
  /** @default - probe immediately */
  readonly initialDelay?: Duration;
  /**
   * How often to probe (whole seconds). For readiness, 0 or unset means Knative's aggressive probing (queue-proxy
   * probes until ready); `timeout` and `failureThreshold` then cannot be set (Knative refuses them). Liveness and
   * startup probes need at least 1 second.
   * @default - readiness: Knative's aggressive probing (period 0); liveness and startup: 10 seconds (Kubernetes)
   */
  readonly period?: Duration;
  /**
   * Only with a non-zero period on a readiness probe.
   * @default 1 second
   */
  readonly timeout?: Duration;
  /**
   * Only with a non-zero period on a readiness probe.
   * @default 3
   */
  readonly failureThreshold?: number;
  /** @default 1 */
  readonly successThreshold?: number;
}

export interface GrpcProbeOptions extends FunctionProbeOptions {
  /** Service name sent in the health check request. @default - the server's overall health */
  readonly service?: string;
}

/** An HTTP GET probe (the port is the container's). */
export interface ProbeHttpGet {
  readonly path: string;
}

/** A TCP probe (the port is the container's). */
export interface ProbeTcpSocket {
  /** @default - the pod IP */
  readonly host?: string;
}

/** A gRPC health-check probe. */
export interface ProbeGrpc {
  readonly port: number;
  /** @default - the server's overall health */
  readonly service?: string;
}

/** A probe that runs a command in the container. */
export interface ProbeExec {
  readonly command: string[];
}

/** The probe fields shared by readiness, liveness and startup probes of a Knative container. */
export interface ProbeSpec {
  /** @default - not an HTTP probe */
  readonly httpGet?: ProbeHttpGet;
  /** @default - not a TCP probe */
  readonly tcpSocket?: ProbeTcpSocket;
  /** @default - not a gRPC probe */
  readonly grpc?: ProbeGrpc;
  /** @default - not a command probe */
  readonly exec?: ProbeExec;
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
    // A readiness period of 0, set or unset, is Knative's aggressive probing: its defaulting fills in Kubernetes'
    // failureThreshold 3 and timeout 1s only when the period is not 0, and its validation then refuses either field
    // (knative/serving v1.22 revision_defaults.go applyReadinessProbeDefaults, k8s_validation.go validateReadinessProbe).
    if (field === 'readiness' && (timing.periodSeconds ?? 0) === 0) {
      const period = timing.periodSeconds === undefined ? 'is unset' : 'is 0';
      const hint = 'set a period (e.g. Duration.seconds(10)) or leave failureThreshold and timeout unset';
      if (timing.failureThreshold !== undefined) {
        invalid(scope, `${field}.failureThreshold`, timing.failureThreshold,
          `is disallowed while ${field}.period ${period}: Knative then probes aggressively until ready and refuses failureThreshold`, hint);
      }
      if (timing.timeoutSeconds !== undefined) {
        invalid(scope, `${field}.timeout`, `${timing.timeoutSeconds}s`,
          `is disallowed while ${field}.period ${period}: Knative then probes aggressively until ready and refuses timeoutSeconds`, hint);
      }
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
