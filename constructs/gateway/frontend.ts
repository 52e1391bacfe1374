import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PUBLIC_ENTRYPOINT_ANNOTATION } from '../policy/policy';
import { httpAdmission } from '../core/binding';
import { IHttpEndpoint } from '../core/contracts';
import { invalid } from '../core/errors';
import { requireEnvName } from '../core/validate';
import { EdgeKind, Wiring } from '../core/wiring';
import { KnativeFunction, KnativeFunctionOptions } from '../knative/function';
import { Visibility } from '../knative/types';
import { IPublicEntrypoint } from './api-gateway';
import { ENTRYPOINT_DEFAULTS } from './defaults';
import { PublicDomain, PublicDomainOptions } from './domain';

export interface FrontendProps extends KnativeFunctionOptions {
  /** @default - the construct id */
  readonly name?: string;
  /**
   * Serve the frontend on a domain of its own over HTTPS (a DomainMapping and a cert-manager Certificate), HTTP
   * redirected to HTTPS by the ingress. HSTS is the image's to send.
   * @default - no custom domain: the Knative route's own URL
   */
  readonly domain?: PublicDomainOptions;
}

export interface ConnectOptions {
  /**
   * Environment variable that receives the function's in-cluster URL.
   * @default - `<NAME>_URL` from the function name (`leader-board` → `LEADER_BOARD_URL`)
   */
  readonly envName?: string;
}

/**
 * The platform's public entry when you bring your own frontend image: it is told the URLs of the functions it may
 * call (`connect(fn)`), and calls them itself. Public, never cold (min-scale 1), long request timeout.
 */
export class Frontend extends Construct implements IPublicEntrypoint {
  public readonly service: KnativeFunction;
  /** The custom domain, when the `domain` prop is set. */
  public readonly domain?: PublicDomain;

  public constructor(scope: Construct, id: string, props: FrontendProps) {
    super(scope, id);
    const { domain, ...options } = props;
    this.service = new KnativeFunction(this, 'Service', {
      ...options,
      name: props.name ?? id,
      visibility: props.visibility ?? Visibility.PUBLIC,
      scale: props.scale ?? ENTRYPOINT_DEFAULTS.scale,
      timeout: props.timeout ?? ENTRYPOINT_DEFAULTS.timeout,
      responseStartTimeout: props.responseStartTimeout ?? props.timeout ?? ENTRYPOINT_DEFAULTS.timeout,
      labels: { 'app.kubernetes.io/component': 'frontend', ...props.labels },
    });
    this.service.resource.metadata.addAnnotation(PUBLIC_ENTRYPOINT_ANNOTATION, 'true');
    if (domain) this.domain = new PublicDomain(this, 'Domain', { ...domain, target: this });
  }

  /** Gives the frontend a function's in-cluster URL in an environment variable. */
  public connect(target: IHttpEndpoint, options: ConnectOptions = {}): void {
    const envName = options.envName ?? `${target.name.toUpperCase().replace(/-/g, '_')}_URL`;
    requireEnvName(this, 'connect.envName', envName);
    if (target === (this.service as IHttpEndpoint)) invalid(this, 'connect', target.name, 'is the frontend itself');
    Wiring.connect({
      kind: EdgeKind.CALLS, from: this, to: target, detail: envName,
      env: { workload: this.service, variables: { [envName]: kplus.EnvValue.fromValue(target.url) } },
      admit: httpAdmission(target, this.service.peer),
    });
  }
}
