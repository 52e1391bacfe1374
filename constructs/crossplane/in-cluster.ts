/**
 * Composed resources written with this library's own constructs. A builder synthesizes constructs (Redis,
 * RabbitmqCluster, ...) into a scratch chart with placeholder names, once per variant of the API (e.g. per size);
 * each object is wrapped in a provider-kubernetes `Object`, and the whole becomes a function-go-templating template
 * in which the placeholders are the composite's values. Derived settings (Redis' maxmemory from its memory limit,
 * security contexts, network policies) are exactly what the construct writes in-cluster.
 *
 * The same description renders concrete objects for given values (`render`), which is how tests validate every
 * composed object against its schema.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformContext } from '../core/context';
import { invalid } from '../core/errors';
import { requireInteger } from '../core/validate';
import { CrossplaneMode, PlatformApi } from './api';
import type { ComposedKind } from './composition';

/** Placeholders a builder uses for the values only the composite knows. */
export const PLACEHOLDER = {
  /** The claim's (CLAIMS) or composite's (NAMESPACED) name. */
  NAME: 'zzname',
  /** Its namespace. */
  NAMESPACE: 'zzns',
  /** The name of the Secret that holds the connection details. */
  SECRET: 'zzsecret',
  /** The composite's uid (names of per-composite Secrets in Crossplane's namespace). */
  UID: 'zzuid',
} as const;

/** Adds constructs to a scratch chart whose namespace is the namespace placeholder. */
export interface IObjectsBuilder {
  addObjects(chart: Chart): void;
}

/** Per wrapped object: its provider-kubernetes settings. */
export interface IObjectOptionsProvider {
  optionsFor(manifest: any): ObjectOptions;
}

export interface InClusterVariant {
  /** Go template condition on `$spec` selecting this variant, e.g. `eq $spec.size "small"`; the last may omit it. */
  readonly when?: string;
  /** Adds the constructs of this variant. */
  readonly builder: IObjectsBuilder;
}

/**
 * CLAIMS mode: the composite's connection details, either literal values (placeholders allowed) or the connection
 * details an Object already collects (by composition resource name).
 */
export interface CompositeConnection {
  /** @default - none */
  readonly values?: { [key: string]: string };
  /** @default - none */
  readonly fromResource?: string;
}

/** A random value generated on the first reconcile and read back from the composed resource afterwards. */
export interface GeneratedValue {
  /**
   * The placeholder in the objects, e.g. `zzgenerated`: `zz` and lowercase letters (it becomes a template variable
   * of the same name), neither part of another placeholder nor holding one (`zzname`, `zzns`, `zzsecret`, `zzuid`).
   */
  readonly placeholder: string;
  /** Characters of the random value (sprig `randAlphaNum`), 1..256. */
  readonly length: number;
  /** The composed resource (composition resource name) and the path inside its Object spec where it is kept. */
  readonly resource: string;
  readonly path: string[];
}

/** A value provider-kubernetes copies from an object into the connection Secret. */
export interface ObjectConnectionDetail {
  /** @default 'v1' */
  readonly apiVersion?: string;
  /** @default 'Secret' */
  readonly kind?: string;
  readonly name: string;
  readonly namespace: string;
  /** e.g. `data.password` (Secret data is decoded). */
  readonly fieldPath: string;
  readonly toConnectionSecretKey: string;
}

/** Where provider-kubernetes writes an Object's connection details. */
export interface ObjectConnectionSecret {
  readonly name: string;
  /** Cluster-scoped Objects only. @default 'crossplane-system' */
  readonly namespace?: string;
}

/** provider-kubernetes settings for one wrapped object. */
export interface ObjectOptions {
  /** A CEL expression over `object` saying the object is ready. @default - ready once created */
  readonly readyWhen?: string;
  /** Connection details the provider reads from objects (Secret `data.*` values are decoded). @default - none */
  readonly connectionDetails?: ObjectConnectionDetail[];
  /** Where the provider writes those connection details. @default - nowhere */
  readonly writeConnectionSecretTo?: ObjectConnectionSecret;
  /**
   * What provider-kubernetes may do with the object, e.g. `['Observe', 'Create', 'Delete', 'LateInitialize']` for an
   * object that must never be overwritten once created (a generated password).
   * @default - everything
   */
  readonly managementPolicies?: string[];
}

export interface InClusterTemplateProps {
  readonly api: PlatformApi;
  /** One entry per variant; the objects of all variants should share names (a change of variant updates them). */
  readonly variants: InClusterVariant[];
  /** Objects of every variant besides the builders' (plain manifests, placeholders allowed). @default - none */
  readonly common?: any[];
  /** @default - none */
  readonly generated?: GeneratedValue[];
  /** Per wrapped object. @default - ready once created, no connection details */
  readonly objectOptions?: IObjectOptionsProvider;
  /**
   * CLAIMS mode: the composite's connection details, either literal values (placeholders allowed) or the
   * connection details an Object already collects (by composition resource name).
   * @default - none
   */
  readonly compositeConnection?: CompositeConnection;
  /** CLAIMS mode: name of the Secret the objects read (placeholders allowed); NAMESPACED uses the API's connection Secret. */
  readonly claimsSecretName?: string;
  /** Name of the provider-kubernetes (Cluster)ProviderConfig. @default 'in-cluster' */
  readonly providerConfigName?: string;
  /** Template lines run before anything is rendered, e.g. a `fail` for values the objects cannot serve. @default - none */
  readonly guard?: string;
  /**
   * The longest name the built objects can carry: the template refuses other names (a DNS-1035 label of at most this
   * many characters, 2..63) before creating anything, e.g. for a claim made with kubectl.
   * @default 40
   */
  readonly maxNameLength?: number;
}

/** Concrete values for `render`. */
export interface TemplateValues {
  readonly name: string;
  readonly namespace: string;
  /** NAMESPACED: the composite's `spec.writeConnectionSecretToRef.name`. */
  readonly connectionSecret?: string;
  readonly uid?: string;
  /** Values for generated placeholders. */
  readonly generated?: { [placeholder: string]: string };
}

/** A function-go-templating template of provider-kubernetes Objects made from constructs (see the module comment). */
export class InClusterTemplate {
  /** Placeholder for the claim's (CLAIMS) or composite's (NAMESPACED) name in built objects. */
  public static readonly NAME = PLACEHOLDER.NAME;
  /** Placeholder for its namespace. */
  public static readonly NAMESPACE = PLACEHOLDER.NAMESPACE;
  /** Placeholder for the name of the connection Secret. */
  public static readonly SECRET = PLACEHOLDER.SECRET;
  /** Placeholder for the composite's uid. */
  public static readonly UID = PLACEHOLDER.UID;

  public readonly api: PlatformApi;
  private readonly variants: Array<{ when?: string; objects: any[] }>;
  private readonly props: InClusterTemplateProps;

  public constructor(scope: Construct, props: InClusterTemplateProps) {
    this.api = props.api;
    this.props = props;
    // It becomes a repeat count in the template's name check: a DNS-1035 label has 2..63 characters there.
    if (props.maxNameLength !== undefined) requireInteger(scope, 'maxNameLength', props.maxNameLength, { min: 2, max: 63 });
    checkGenerated(scope, props.generated);
    if (!Array.isArray(props.variants) || props.variants.length === 0) invalid(scope, 'variants', props.variants, 'must list at least one variant');
    this.variants = props.variants.map((v, i) => {
      if (v.when === undefined && i < props.variants.length - 1) invalid(scope, `variants[${i}].when`, undefined, 'is required except on the last variant');
      const app = new App();
      // The composed objects use the same cluster DNS domain as the rest of the app.
      const domain = scope.node.tryGetContext(PlatformContext.CLUSTER_DOMAIN);
      if (domain !== undefined) app.node.setContext(PlatformContext.CLUSTER_DOMAIN, domain);
      const chart = new Chart(app, 'composed', { namespace: PLACEHOLDER.NAMESPACE, disableResourceNameHashes: true });
      v.builder.addObjects(chart);
      const objects = [...chart.toJson(), ...(props.common ?? [])];
      const text = JSON.stringify(objects);
      if (text.includes('{{')) invalid(scope, `variants[${i}]`, '{{', 'appears in the built objects, which would break the Go template');
      return { when: v.when, objects };
    });
  }

  /** The kind the template composes: provider-kubernetes' Object (cluster-scoped with CLAIMS, namespaced otherwise). */
  public get composes(): ComposedKind[] {
    return [this.objectKind];
  }

  /** The kinds inside the Objects (what provider-kubernetes must be allowed to manage). */
  public get manifestKinds(): ComposedKind[] {
    const seen = new Map<string, ComposedKind>();
    for (const v of this.variants) for (const o of v.objects) seen.set(`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind });
    return [...seen.values()];
  }

  private get namespaced(): boolean {
    return this.api.mode === CrossplaneMode.NAMESPACED;
  }

  private get objectKind(): ComposedKind {
    return this.namespaced
      ? { apiVersion: 'kubernetes.m.crossplane.io/v1alpha1', kind: 'Object' }
      : { apiVersion: 'kubernetes.crossplane.io/v1alpha2', kind: 'Object' };
  }

  /** The stable composition resource name of a manifest, e.g. `statefulset-main`. */
  public static resourceName(manifest: any): string {
    const name = String(manifest.metadata?.name ?? '').split(PLACEHOLDER.NAME).join('main').split(PLACEHOLDER.SECRET).join('connection');
    return `${manifest.kind}-${name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  }

  private wrap(manifest: any): any {
    const opts = this.props.objectOptions?.optionsFor(manifest) ?? {};
    const providerConfig = this.props.providerConfigName ?? 'in-cluster';
    const kind = this.objectKind;
    return {
      apiVersion: kind.apiVersion,
      kind: kind.kind,
      metadata: {
        // Namespaced Objects live with the composite (Crossplane v2 composes into the composite's namespace).
        ...(this.namespaced ? { namespace: PLACEHOLDER.NAMESPACE } : {}),
        annotations: { 'gotemplating.fn.crossplane.io/composition-resource-name': InClusterTemplate.resourceName(manifest) },
      },
      spec: {
        forProvider: { manifest },
        providerConfigRef: this.namespaced ? { kind: 'ClusterProviderConfig', name: providerConfig } : { name: providerConfig },
        ...(opts.readyWhen ? { readiness: { policy: 'DeriveFromCelQuery', celQuery: opts.readyWhen } } : {}),
        ...(opts.managementPolicies ? { managementPolicies: [...opts.managementPolicies] } : {}),
        ...(opts.connectionDetails?.length ? {
          connectionDetails: opts.connectionDetails.map((c) => ({ apiVersion: c.apiVersion ?? 'v1', kind: c.kind ?? 'Secret', ...c })),
        } : {}),
        ...(opts.writeConnectionSecretTo ? {
          writeConnectionSecretToRef: this.namespaced
            ? { name: opts.writeConnectionSecretTo.name }
            : { name: opts.writeConnectionSecretTo.name, namespace: opts.writeConnectionSecretTo.namespace ?? 'crossplane-system' },
        } : {}),
      },
    };
  }

  private secretName(): string {
    return this.namespaced ? '' : (this.props.claimsSecretName ?? '');
  }

  /** The function-go-templating template. */
  public toGoTemplate(): string {
    const kind = this.api.kind;
    const lines = [
      '{{- $xr := .observed.composite.resource }}',
      '{{- $spec := $xr.spec }}',
      '{{- $uid := $xr.metadata.uid }}',
    ];
    if (this.namespaced) {
      lines.push('{{- $name := $xr.metadata.name }}', '{{- $ns := $xr.metadata.namespace }}');
      lines.push(this.api.connectionSecretKeys.length ? '{{- $secret := $xr.spec.writeConnectionSecretToRef.name }}' : '{{- $secret := "" }}');
    } else {
      lines.push(`{{- if not $xr.spec.claimRef }}{{ fail "${kind} is requested through a claim: create a ${kind} in a namespace" }}{{ end }}`);
      lines.push('{{- $name := $xr.spec.claimRef.name }}', '{{- $ns := $xr.spec.claimRef.namespace }}');
      lines.push(`{{- $secret := ${printExpr(this.secretName())} }}`);
    }
    const max = this.props.maxNameLength ?? 40;
    lines.push(`{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$" $name) }}{{ fail (printf "${kind} %q: the name must be a DNS-1035 label of at most ${max} characters (it names the objects it creates)" $name) }}{{ end }}`);
    if (this.props.guard) lines.push(this.props.guard);
    for (const g of this.props.generated ?? []) {
      const dig = ['observed', 'resources', g.resource, 'resource', 'spec', 'forProvider', 'manifest', ...g.path].map((p) => JSON.stringify(p)).join(' ');
      // Generated on the first reconcile, then read back from the composed resource: it never changes afterwards.
      lines.push(`{{- $${g.placeholder} := dig ${dig} "" . }}`);
      lines.push(`{{- if not $${g.placeholder} }}{{ $${g.placeholder} = randAlphaNum ${g.length} }}{{ end }}`);
    }
    const render = (objects: any[]) => objects.map((o) => `---\n${this.substitute(JSON.stringify(this.wrap(o), null, 2))}`).join('\n');
    if (this.variants.length === 1) {
      lines.push(render(this.variants[0].objects));
    } else {
      this.variants.forEach((v, i) => {
        const head = i === 0 ? `{{- if ${v.when} }}` : v.when ? `{{- else if ${v.when} }}` : '{{- else }}';
        lines.push(head, render(v.objects));
      });
      if (this.variants[this.variants.length - 1].when) lines.push(`{{- else }}{{ fail (printf "${kind}: no variant for %v" $spec) }}`);
      lines.push('{{- end }}');
    }
    const conn = this.props.compositeConnection;
    if (!this.namespaced && conn?.values) {
      lines.push('---', 'apiVersion: meta.gotemplating.fn.crossplane.io/v1alpha1', 'kind: CompositeConnectionDetails', 'data:');
      for (const [k, v] of Object.entries(conn.values)) lines.push(`  ${JSON.stringify(k)}: {{ ${printExpr(v)} | b64enc | quote }}`);
    }
    if (!this.namespaced && conn?.fromResource) {
      // The Object's connection details arrive base64-encoded, as CompositeConnectionDetails expects them.
      lines.push(`{{- $details := dig "observed" "resources" ${JSON.stringify(conn.fromResource)} "connectionDetails" (dict) . }}`);
      lines.push('{{- if $details }}', '---', 'apiVersion: meta.gotemplating.fn.crossplane.io/v1alpha1', 'kind: CompositeConnectionDetails', 'data: {{ $details | toJson }}', '{{- end }}');
    }
    return `${lines.join('\n')}\n`;
  }

  private substitute(text: string): string {
    let out = text;
    for (const g of this.props.generated ?? []) out = out.split(g.placeholder).join(`{{ $${g.placeholder} }}`);
    return out
      .split(PLACEHOLDER.SECRET).join('{{ $secret }}')
      .split(PLACEHOLDER.UID).join('{{ $uid }}')
      .split(PLACEHOLDER.NAMESPACE).join('{{ $ns }}')
      .split(PLACEHOLDER.NAME).join('{{ $name }}');
  }

  /**
   * The composed Objects for concrete values and one variant, as Crossplane would create them (tests validate them
   * against the provider's and Kubernetes' schemas).
   */
  public render(values: TemplateValues, variant: number): any[] {
    const v = this.variants[variant];
    if (!v) throw new Error(`no variant ${variant}`);
    const secret = this.namespaced ? (values.connectionSecret ?? '') : this.secretName();
    let text = JSON.stringify(v.objects.map((o) => this.wrap(o)));
    for (const g of this.props.generated ?? []) text = text.split(g.placeholder).join(values.generated?.[g.placeholder] ?? 'generated');
    text = text.split(PLACEHOLDER.SECRET).join(secret)
      .split(PLACEHOLDER.UID).join(values.uid ?? '00000000-0000-0000-0000-000000000000')
      .split(PLACEHOLDER.NAMESPACE).join(values.namespace)
      .split(PLACEHOLDER.NAME).join(values.name);
    // Crossplane names composed resources after the composite (`<composite>-<random suffix>`).
    return (JSON.parse(text) as any[]).map((o, i) => ({ ...o, metadata: { ...o.metadata, name: `${values.name}-x${i}` } }));
  }
}

/** The longest random value a GeneratedValue asks for: enough for any password or key, short of a template's size. */
const MAX_GENERATED_LENGTH = 256;

/**
 * Checks generated values before they land in the template: the length becomes `randAlphaNum <length>` (sprig
 * fails at render time on `1.5` or `1e+21`), the placeholder a template variable and a text replaced everywhere in
 * the objects.
 */
function checkGenerated(scope: Construct, generated: GeneratedValue[] | undefined): void {
  if (generated === undefined) return;
  if (!Array.isArray(generated)) invalid(scope, 'generated', generated, 'must be a list of GeneratedValue');
  const builtins = Object.values(PLACEHOLDER);
  generated.forEach((g, i) => {
    const field = `generated[${i}]`;
    if (typeof g !== 'object' || g === null) invalid(scope, field, g, 'must be a GeneratedValue ({ placeholder, length, resource, path })');
    requireInteger(scope, `${field}.length`, g.length, { min: 1, max: MAX_GENERATED_LENGTH });
    if (typeof g.placeholder !== 'string' || !/^zz[a-z]+$/.test(g.placeholder)) {
      invalid(scope, `${field}.placeholder`, g.placeholder, 'must be "zz" followed by lowercase letters', 'e.g. "zzpassword": it becomes a template variable and is replaced wherever it appears');
    }
    const others = [...builtins, ...generated.filter((_, j) => j !== i).map((o) => o?.placeholder)].filter((o): o is string => typeof o === 'string');
    const clash = others.find((o) => o.includes(g.placeholder) || g.placeholder.includes(o));
    if (clash !== undefined) {
      invalid(scope, `${field}.placeholder`, g.placeholder, clash === g.placeholder ? 'is used twice' : `overlaps the placeholder "${clash}"`,
        'choose a placeholder that is neither part of another nor holds one');
    }
    if (typeof g.resource !== 'string' || g.resource === '') invalid(scope, `${field}.resource`, g.resource, 'must name a composed resource');
    if (!Array.isArray(g.path) || g.path.length === 0 || g.path.some((p) => typeof p !== 'string' || p === '')) {
      invalid(scope, `${field}.path`, g.path, 'must be a non-empty list of field names', 'e.g. ["stringData", "password"]');
    }
  });
}

/** A Go template expression printing a string with placeholders, e.g. `(print $name "." $ns)`. */
function printExpr(value: string): string {
  const vars: { [p: string]: string } = {
    [PLACEHOLDER.NAME]: '$name', [PLACEHOLDER.NAMESPACE]: '$ns', [PLACEHOLDER.SECRET]: '$secret', [PLACEHOLDER.UID]: '$uid',
  };
  const pattern = new RegExp(`(${Object.keys(vars).join('|')}|zz[a-z]+)`, 'g');
  const parts = value.split(pattern).filter((p) => p !== '');
  const rendered = parts.map((p) => vars[p] ?? (/^zz[a-z]+$/.test(p) ? `$${p}` : JSON.stringify(p)));
  return `(print ${rendered.length ? rendered.join(' ') : '""'})`;
}
