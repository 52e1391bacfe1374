/**
 * A public entrypoint's own domain, served over HTTPS.
 *
 * The design (README "Custom domain and TLS"): a Knative `DomainMapping` (serving.knative.dev/v1beta1) named after the
 * domain points at the entrypoint's Knative Service; a cert-manager `Certificate` for the domain, signed by an issuer
 * the cluster already runs (an ACME ClusterIssuer such as Let's Encrypt, or an Issuer of the namespace), writes the
 * TLS Secret the DomainMapping names in `spec.tls.secretName`; a `ClusterDomainClaim` gives the namespace the right to
 * map the domain (Knative refuses a mapping of an unclaimed domain unless the cluster lets every namespace claim
 * any domain, which it does not by default). TLS ends at the cluster's ingress (kourier): the entrypoint receives
 * plain HTTP with `X-Forwarded-Proto`, the original host in `K-Original-Host` and its own host in `Host`.
 *
 * HTTP is redirected to HTTPS by the ingress (the DomainMapping's `networking.knative.dev/http-protocol: redirected`);
 * the managed gateway adds HSTS to HTTPS responses and redirects itself as well when a request for the domain
 * reaches it over plain HTTP (an ingress that ignores the annotation).
 */
import { ApiObject, Duration } from 'cdk8s';
import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { clusterDomain, clusterScoped } from '../core/context';
import { DeployHints } from '../core/deploy-hints';
import { invalid } from '../core/errors';
import { checkName } from '../core/k8s-rules';
import { requireName, requireSeconds } from '../core/validate';
import { ClusterDomainClaim } from '../imports/networking.internal.knative.dev';
import { DomainMapping } from '../imports/serving.knative.dev';
import type { IPublicEntrypoint } from './api-gateway';

/** The cert-manager issuer that signs a domain's certificate: one the cluster already runs. */
export class CertificateIssuer {
  /** A ClusterIssuer (cluster-wide, e.g. a Let's Encrypt ACME issuer). */
  public static clusterIssuer(name: string): CertificateIssuer {
    return new CertificateIssuer('ClusterIssuer', name);
  }

  /** An Issuer in the entrypoint's namespace. */
  public static issuer(name: string): CertificateIssuer {
    return new CertificateIssuer('Issuer', name);
  }

  /** Whether a value is an issuer made by this class (it survives module duplication). */
  public static isCertificateIssuer(x: unknown): x is CertificateIssuer {
    return x !== null && typeof x === 'object' && (x as any)[ISSUER] === true;
  }

  private constructor(
    /** `ClusterIssuer` or `Issuer`. */
    public readonly kind: string,
    /** Name of the issuer. */
    public readonly name: string,
  ) {
    Object.defineProperty(this, ISSUER, { value: true });
  }
}

const ISSUER = Symbol.for('platform-blueprints.certificate-issuer');

/** HTTP Strict Transport Security (RFC 6797): browsers that saw it use only HTTPS for the domain for `maxAge`. */
export interface StrictTransportSecurity {
  /**
   * How long browsers remember to use HTTPS only (whole seconds). `Duration.seconds(0)` tells them to forget it.
   * @default Duration.days(365)
   */
  readonly maxAge?: Duration;
  /**
   * Apply it to every subdomain of the domain too.
   * @default false - subdomains may be served by others
   */
  readonly includeSubDomains?: boolean;
  /**
   * Ask to be preloaded into browsers' HSTS lists (needs includeSubDomains and a max-age of at least a year).
   * @default false
   */
  readonly preload?: boolean;
}

/** A custom domain with TLS for a public entrypoint (ApiGateway or Frontend `domain` prop). */
export interface PublicDomainOptions {
  /** The domain, fully qualified, e.g. `api.example.com` (not a wildcard, not under the cluster's local domain). */
  readonly domain: string;
  /** The cert-manager issuer that signs the certificate. */
  readonly issuer: CertificateIssuer;
  /**
   * Redirect plain HTTP requests for the domain to HTTPS (at the ingress, and in the managed gateway).
   * @default true
   */
  readonly redirectHttp?: boolean;
  /**
   * HSTS header the managed gateway adds to HTTPS responses (a Frontend's image sets its own headers).
   * @default - max-age one year, without includeSubDomains or preload
   */
  readonly strictTransportSecurity?: StrictTransportSecurity;
  /**
   * Create the ClusterDomainClaim that lets the namespace map the domain. Turn off when the cluster creates claims
   * itself (`autocreate-cluster-domain-claims`) or a platform admin manages them.
   * @default true
   */
  readonly claimDomain?: boolean;
}

export interface PublicDomainProps extends PublicDomainOptions {
  /** The entrypoint served on the domain. */
  readonly target: IPublicEntrypoint;
}

/** What the managed gateway's nginx adds for a domain (nginx-config.ts places it). */
export interface GatewayDomainDirectives {
  /** Lines at `http` level. */
  readonly http: string[];
  /** Lines at `server` level. */
  readonly server: string[];
  /** Value of the X-Forwarded-Host header sent to functions. */
  readonly forwardedHost: string;
  /**
   * The response headers of the server level (HSTS), which a location or `if` block adding headers of its own must
   * repeat: nginx inherits `add_header` only into blocks that have none.
   */
  readonly headers: string[];
}

/** The header Knative's DomainMapping ingress adds with the host the client asked for (knative.dev/networking). */
export const ORIGINAL_HOST_HEADER = 'K-Original-Host';
/** The DomainMapping annotation that tells the ingress whether to redirect HTTP (Knative's http-protocol). */
export const HTTP_PROTOCOL_ANNOTATION = 'networking.knative.dev/http-protocol';
/** The Secret label net-kourier filters TLS Secrets by, when its secret filtering is on. */
export const CERTIFICATE_UID_LABEL = 'networking.internal.knative.dev/certificate-uid';

const ONE_YEAR_SECONDS = 31536000;
const TLS_SUFFIX = '-tls';

/**
 * Checks a domain as Knative's DomainMapping webhook does (a fully qualified name of at least two DNS-1123 labels,
 * not under the cluster's local domain) and as this library names the certificate's Secret (`<domain>-tls`).
 */
export function requireDomain(scope: Construct, field: string, domain: unknown, localDomain: string): string {
  if (typeof domain !== 'string' || domain === '') return invalid(scope, field, domain, 'is required: the fully qualified domain to serve, e.g. "api.example.com"');
  if (domain.startsWith('*.')) return invalid(scope, field, domain, 'is a wildcard; a DomainMapping maps one domain', 'map each domain on its own');
  if (domain.endsWith('.')) return invalid(scope, field, domain, 'ends with "."', `write it without the trailing dot: "${domain.replace(/\.+$/, '')}"`);
  const labels = domain.split('.');
  if (labels.length < 2) return invalid(scope, field, domain, 'must be a fully qualified domain of at least two labels', 'e.g. "api.example.com"');
  const bad = labels.find((l) => checkName('dns1123-label', l) !== undefined);
  if (bad !== undefined) {
    return invalid(scope, field, domain, `has the label ${JSON.stringify(bad)}, which is not a DNS-1123 label (at most 63 lowercase letters, digits or "-", ` +
      'starting and ending with a letter or digit)', domain !== domain.toLowerCase() ? `write it in lowercase: "${domain.toLowerCase()}"` : undefined);
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return invalid(scope, field, domain, 'is an IP address, not a domain', 'map a domain name that resolves to the ingress');
  if (domain.length > 253 - TLS_SUFFIX.length) {
    return invalid(scope, field, domain, `is ${domain.length} characters; at most ${253 - TLS_SUFFIX.length} fit (its TLS Secret is named "<domain>${TLS_SUFFIX}", at most 253)`);
  }
  if (domain === localDomain || domain.endsWith(`.${localDomain}`)) {
    return invalid(scope, field, domain, `is under the cluster's local domain "${localDomain}"; Knative refuses to map it`,
      'map a public domain; in-cluster callers use the entrypoint\'s in-cluster URL');
  }
  return domain;
}

/**
 * A public entrypoint's custom domain with TLS: a DomainMapping, the cert-manager Certificate whose Secret it
 * serves, and the ClusterDomainClaim of the domain for the namespace (see the module comment).
 */
export class PublicDomain extends Construct {
  /** The domain. */
  public readonly domain: string;
  /** `https://<domain>`. */
  public readonly url: string;
  /** Name of the TLS Secret cert-manager writes (`<domain>-tls`, in the entrypoint's namespace). */
  public readonly secretName: string;
  public readonly redirectHttp: boolean;
  /** The HSTS header value, e.g. `max-age=31536000`. */
  public readonly strictTransportSecurity: string;
  public readonly mapping: DomainMapping;
  public readonly certificate: ApiObject;
  public readonly claim?: ClusterDomainClaim;

  public constructor(scope: Construct, id: string, props: PublicDomainProps) {
    super(scope, id);
    const service = props.target.service;
    this.domain = requireDomain(this, 'domain', props.domain, clusterDomain(this));
    if (!CertificateIssuer.isCertificateIssuer(props.issuer)) {
      invalid(this, 'issuer', props.issuer, 'must be an issuer the cluster runs', 'use CertificateIssuer.clusterIssuer("letsencrypt") or CertificateIssuer.issuer("name")');
    }
    requireName(this, 'issuer.name', props.issuer.name, 'dns1123-subdomain');
    this.strictTransportSecurity = hstsValue(this, props.strictTransportSecurity ?? {});
    this.redirectHttp = props.redirectHttp ?? true;
    this.url = `https://${this.domain}`;
    this.secretName = `${this.domain}${TLS_SUFFIX}`;
    const namespace = service.namespace;
    const secret = { apiVersion: 'v1', kind: 'Secret', namespace, name: this.secretName };

    this.certificate = new ApiObject(this, 'Certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: this.domain, namespace },
      spec: {
        dnsNames: [this.domain],
        secretName: this.secretName,
        // net-kourier reads only Secrets with this label when its secret filtering is on; its value is free.
        secretTemplate: { labels: { [CERTIFICATE_UID_LABEL]: createHash('sha256').update(this.domain).digest('hex').slice(0, 16) } },
        issuerRef: { name: props.issuer.name, kind: props.issuer.kind, group: 'cert-manager.io' },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      },
    });
    DeployHints.implies(this.certificate, secret, 'cert-manager');

    if (props.claimDomain ?? true) {
      this.claim = clusterScoped(new ClusterDomainClaim(this, 'Claim', { metadata: { name: this.domain }, spec: { namespace } }));
    }
    this.mapping = new DomainMapping(this, 'Mapping', {
      metadata: { name: this.domain, namespace, annotations: { [HTTP_PROTOCOL_ANNOTATION]: this.redirectHttp ? 'redirected' : 'enabled' } },
      spec: {
        ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: service.name, namespace },
        tls: { secretName: this.secretName },
      },
    });
    DeployHints.references(this.mapping, secret);
    DeployHints.references(this.mapping, service.objectRef);
    if (this.claim) DeployHints.dependsOn(this.mapping, this.claim);
  }

  /**
   * The managed gateway's part: HSTS on responses to HTTPS requests, a redirect of plain HTTP requests for the
   * domain, and the domain as X-Forwarded-Host of requests for it.
   */
  public get gatewayDirectives(): GatewayDomainDirectives {
    const header = `$http_${ORIGINAL_HOST_HEADER.toLowerCase().replace(/-/g, '_')}`;
    const http = [
      `  # Custom domain ${this.domain}: TLS ends at the cluster's ingress, which says how the request came (X-Forwarded-Proto)`,
      `  # and which host was asked for (${ORIGINAL_HOST_HEADER}).`,
      '  map $http_x_forwarded_proto $strict_transport_security {',
      `    https "${this.strictTransportSecurity}";`,
      '    default "";',
      '  }',
      `  map ${header} $forwarded_host {`,
      `    ${this.domain} ${this.domain};`,
      '    default $http_host;',
      '  }',
    ];
    const headers = ['add_header Strict-Transport-Security $strict_transport_security always;'];
    const server = headers.map((l) => `    ${l}`);
    if (this.redirectHttp) {
      http.push(
        `  map "$http_x_forwarded_proto ${header}" $redirect_to_https {`,
        `    "http ${this.domain}" 1;`,
        '    default 0;',
        '  }',
      );
      server.push('    if ($redirect_to_https) {', `      return 308 https://${this.domain}$request_uri;`, '    }');
    }
    return { http, server, forwardedHost: '$forwarded_host', headers };
  }
}

function hstsValue(scope: Construct, hsts: StrictTransportSecurity): string {
  const maxAge = requireSeconds(scope, 'strictTransportSecurity.maxAge', hsts.maxAge ?? Duration.seconds(ONE_YEAR_SECONDS), { min: 0 });
  if (hsts.preload && !hsts.includeSubDomains) {
    invalid(scope, 'strictTransportSecurity.preload', true, 'needs includeSubDomains: browsers preload a domain with all its subdomains', 'set includeSubDomains: true, or leave preload off');
  }
  if (hsts.preload && maxAge < ONE_YEAR_SECONDS) {
    invalid(scope, 'strictTransportSecurity.maxAge', `${maxAge}s`, `must be at least one year (${ONE_YEAR_SECONDS}s) with preload`, 'raise maxAge to Duration.days(365), or leave preload off');
  }
  return [`max-age=${maxAge}`, ...hsts.includeSubDomains ? ['includeSubDomains'] : [], ...hsts.preload ? ['preload'] : []].join('; ');
}
