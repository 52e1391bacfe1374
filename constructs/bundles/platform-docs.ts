/**
 * Documentation derived from a synthesized platform: what is in each manifest, which secrets to provide before
 * applying it, what the cluster must allow, and the wiring (table + Mermaid diagram) taken from the platform
 * graph. Written next to the manifests, so dist/ explains itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { stringify } from 'yaml';
import { invalid } from '../core/errors';
import { EventCatalog } from '../eventing/catalog';
import { KratixPromise } from '../kratix/promise';
import { PlatformGraph } from '../core/graph';
import { DeploymentPlan } from '../core/plan';
import { ClusterInstall } from '../core/installs';
import { EdgeKind } from '../core/wiring';
import { TektonEventsSink } from '../cdevents/tekton-events-sink';

export interface PlatformDocsOptions {
  /** Title of the document. */
  readonly title: string;
  /** Where the manifests come from (e.g. `src/reference-platform.ts`). */
  readonly source: string;
  /** Charts of the app, each synthesized to `<chart id>.k8s.yaml`. */
  readonly charts: Chart[];
  /**
   * The command that writes the manifests, named in the README's first line.
   * @default 'npm run synth'
   */
  readonly command?: string;
}

/** Options of `PlatformDocs.write`. */
export interface PlatformDocsWriteOptions {
  /**
   * Directory the files are written to (it must exist and be writable).
   * @default the App's outdir (where `app.synth()` writes the manifests)
   */
  readonly outdir?: string;
  /**
   * Title of README.md; the event catalog and its picture are titled after it.
   * @default 'Functions platform'
   */
  readonly title?: string;
  /**
   * Where the manifests come from, named in README.md (e.g. `src/main.ts`).
   * @default 'the cdk8s app'
   */
  readonly source?: string;
  /**
   * The command that writes the manifests, named in README.md.
   * @default 'npm run synth'
   */
  readonly command?: string;
  /**
   * Title of events.md.
   * @default `${title}: event catalog`
   */
  readonly eventCatalogTitle?: string;
  /**
   * Title of the picture events.svg.
   * @default `${title}: event flows`
   */
  readonly eventPictureTitle?: string;
}

/** Default `max-revision-timeout-seconds` of Knative Serving. */
const KNATIVE_DEFAULT_MAX_TIMEOUT = 600;

function displayName(c: IConstruct): string {
  const anyC = c as any;
  if (anyC.service && typeof anyC.service.name === 'string') return anyC.service.name;
  if (typeof anyC.name === 'string') return anyC.name;
  return c.node.path;
}

function mermaidId(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Renders the README that sits next to the synthesized manifests. */
export class PlatformDocs {
  public static render(options: PlatformDocsOptions): string {
    return renderPlatformDocs(options);
  }

  /**
   * The documents of an app, by file name: README.md (manifests, before you apply, wiring), events.md (the event
   * catalog), events.svg (its picture) and `<promise>-example-resource.yaml`, the example request of every
   * KratixPromise in the app. Renders the app's charts (their validations run); writes nothing.
   */
  public static files(app: App, options: PlatformDocsWriteOptions = {}): { [file: string]: string } {
    const charts = app.charts as Chart[];
    if (charts.length === 0) {
      invalid(app, 'charts', [], 'is empty: there is nothing to document', 'add a Chart to the App (new Chart(app, \'platform\')) before writing its docs');
    }
    const title = options.title ?? 'Functions platform';
    const catalog = EventCatalog.of(app);
    // What an application team applies to use a Promise (as `kratix init promise` writes `example-resource.yaml`).
    const examples = app.node.findAll().filter((c): c is KratixPromise => c instanceof KratixPromise)
      .map((p) => [`${p.name}-example-resource.yaml`, stringify(p.exampleRequest('example', 'default'))]);
    return {
      'README.md': renderPlatformDocs({ title, source: options.source ?? 'the cdk8s app', charts, command: options.command }),
      'events.md': catalog.renderMarkdown(options.eventCatalogTitle ?? `${title}: event catalog`, 'events.svg'),
      'events.svg': catalog.renderSvg(options.eventPictureTitle ?? `${title}: event flows`),
      ...Object.fromEntries(examples),
    };
  }

  /**
   * Writes `PlatformDocs.files(app)` into `outdir` (default: the App's outdir, next to the manifests
   * `app.synth()` writes) and returns the names of the files written, in writing order.
   */
  public static write(app: App, options: PlatformDocsWriteOptions = {}): string[] {
    const outdir = options.outdir ?? app.outdir;
    const files = PlatformDocs.files(app, options);
    try {
      if (!fs.statSync(outdir).isDirectory()) throw new Error('not a directory');
      fs.accessSync(outdir, fs.constants.W_OK);
    } catch (e) {
      invalid(app, 'outdir', outdir, `is not a writable directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        'create it first (app.synth() creates the App\'s outdir) or pass options.outdir naming a directory you can write to');
    }
    for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(outdir, file), content);
    return Object.keys(files);
  }

  private constructor() {}
}

function renderPlatformDocs(options: PlatformDocsOptions): string {
  const lines: string[] = [
    `# ${options.title}`,
    '',
    `Generated by \`${options.command ?? 'npm run synth'}\` from \`${options.source}\`. Do not edit: change the code and synthesize again.`,
    '',
    '## Manifests',
    '',
    '| file | kind | namespace | name |',
    '|---|---|---|---|',
  ];
  // What the files hold, in file order; everything else comes from the deployment plan.
  for (const chart of options.charts) {
    for (const obj of chart.toJson()) {
      lines.push(`| ${chart.node.id}.k8s.yaml | ${obj.apiVersion} ${obj.kind} | ${obj.metadata?.namespace ?? '(cluster)'} | ${obj.metadata?.name} |`);
    }
  }
  const root = options.charts[0]?.node.root;
  const plan = root ? DeploymentPlan.of(root) : undefined;
  const chartIds = new Set(options.charts.map((c) => c.node.id));
  const objects = (plan?.objects ?? []).filter((o) => o.chart === undefined || chartIds.has(o.chart));
  const maxTimeout = plan?.maxRequestTimeoutSeconds ?? 0;

  lines.push('', '## Before you apply', '');
  let step = 1;
  const ordered = ClusterInstall.all.filter((i) => plan?.requires(i) && i.docs !== undefined);
  if (ordered.length) {
    lines.push(`${step++}. The cluster runs (the Pulumi program installs all of them, in this order; see the repository README):`);
    for (const i of ordered) lines.push(`   - ${i.docs}`);
  }
  if (maxTimeout > KNATIVE_DEFAULT_MAX_TIMEOUT) {
    lines.push(
      `${step++}. A request timeout of ${maxTimeout}s is used (long-lived connections such as WebSockets). Knative rejects it unless the`,
      '   cluster allows it:',
      '   ```sh',
      `   kubectl -n knative-serving patch configmap/config-defaults --type merge -p '{"data":{"max-revision-timeout-seconds":"${maxTimeout}"}}'`,
      `   kubectl -n knative-serving patch deployment/activator --type merge -p '{"spec":{"template":{"spec":{"terminationGracePeriodSeconds":${maxTimeout}}}}}'`,
      `   kubectl -n knative-serving patch configmap/config-kourier --type merge -p '{"data":{"stream-idle-timeout":"${maxTimeout}s"}}'`,
      '   ```',
    );
  }
  const tektonSink = root ? TektonEventsSink.of(root) : undefined;
  if (tektonSink) {
    lines.push(
      `${step++}. Tekton sends its run events to one URL per cluster: the broker ${tektonSink.broker.namespace}/${tektonSink.broker.name} (the Pulumi program sets it),`,
      '   and its own init containers need a security context to run under Pod Security "restricted":',
      '   ```sh',
      `   kubectl -n tekton-pipelines patch configmap/config-events --type merge -p '{"data":{"sink":"${tektonSink.broker.address}","formats":"tektonv1"}}'`,
      '   kubectl -n tekton-pipelines patch configmap/feature-flags --type merge -p \'{"data":{"set-security-context":"true"}}\'',
      '   ```',
    );
  }
  const roots = options.charts.map((c) => c as IConstruct);
  const secrets = (plan?.secrets ?? []).filter((s) => roots.some((r) => s.node.path.startsWith(`${r.node.path}/`)));
  // Crossplane packages must be healthy before their ProviderConfigs (whose CRDs the provider installs) and before
  // the compositions that call them; claims need their XRD established.
  const packageCharts = options.charts.filter((c) => objects.some((o) => o.chart === c.node.id && o.apiGroup === 'pkg.crossplane.io'));
  for (const chart of packageCharts) {
    const file = `${chart.node.id}.k8s.yaml`;
    lines.push(
      `${step++}. Apply the platform APIs and wait for Crossplane to install their packages (the provider configs are accepted on the`,
      '   second apply, once provider-kubernetes has installed its CRDs):',
      '   ```sh',
      `   kubectl apply -f ${file} || true`,
      '   kubectl wait --for=condition=Healthy providers.pkg.crossplane.io,functions.pkg.crossplane.io --all --timeout=10m',
      `   kubectl apply -f ${file}`,
      '   kubectl wait --for=condition=Established compositeresourcedefinitions.apiextensions.crossplane.io --all --timeout=5m',
      '   ```',
    );
  }
  const files = options.charts.filter((c) => !packageCharts.includes(c)).map((c) => `-f ${c.node.id}.k8s.yaml`).join(' ');
  if (secrets.length > 0) {
    // Secrets live in namespaces the manifests create: the namespaces first, then the Secrets, then the rest.
    const namespaces = [...new Set(secrets.map((s) => s.namespace))];
    lines.push(
      `${step++}. Create the namespace${namespaces.length > 1 ? 's' : ''} and the Secrets these manifests reference. Their values are never written here;`,
      '   `pulumi up` generates them, or:',
      '   ```sh',
      ...namespaces.map((ns) => `   kubectl create namespace ${ns}`),
    );
    for (const s of secrets) {
      const literals = s.keys.map((k) => `--from-literal=${k}="$(openssl rand -hex ${Math.ceil(s.length / 2)})"`).join(' ');
      lines.push(`   # ${s.purpose}`, `   kubectl create secret generic ${s.name} -n ${s.namespace} ${literals}`);
    }
    lines.push('   ```');
  }
  const externals = (plan?.externalReferences ?? []).filter((x) => objects.some((o) => o.key === x.from));
  if (externals.length > 0) {
    lines.push(`${step++}. Make sure these objects exist: the manifests refer to them and do not create them:`);
    for (const x of externals) lines.push(`   - ${x.ref.kind} ${x.ref.namespace ? `${x.ref.namespace}/` : ''}${x.ref.name} (${x.ref.apiVersion}), for ${x.from}`);
  }
  lines.push(`${step++}. Apply: \`kubectl apply ${files}\` (it adopts the namespace created above and adds its Pod Security labels).`);

  // Every edge with an end in these charts (a subscription from another chart's broker is part of this platform too).
  const inside = (c: IConstruct) => roots.some((r) => c.node.path === r.node.path || c.node.path.startsWith(`${r.node.path}/`));
  const edges = root ? PlatformGraph.of(root).edges.filter((e) => inside(e.from) || inside(e.to)) : [];
  if (edges.length > 0) {
    lines.push('', '## Wiring', '', 'Every edge below was made by a wiring call; the NetworkPolicies in the manifests follow from them.', '');
    lines.push('| from | edge | to | detail |', '|---|---|---|---|');
    for (const e of edges) lines.push(`| ${displayName(e.from)} | ${e.kind} | ${displayName(e.to)} | \`${e.detail}\` |`);
    lines.push('', '```mermaid', 'flowchart LR', '  internet((internet)) --> ingress[Knative ingress]');
    const nodes = new Map<string, string>();
    for (const e of edges) {
      for (const c of [e.from, e.to]) nodes.set(mermaidId(displayName(c)), displayName(c));
    }
    for (const [id, label] of nodes) lines.push(`  ${id}["${label}"]`);
    const entry = edges.find((e) => e.kind === EdgeKind.ROUTES || e.kind === EdgeKind.CALLS);
    if (entry) lines.push(`  ingress --> ${mermaidId(displayName(entry.from))}`);
    for (const e of edges) {
      lines.push(`  ${mermaidId(displayName(e.from))} -->|"${e.kind} ${e.detail.replace(/"/g, "'")}"| ${mermaidId(displayName(e.to))}`);
    }
    lines.push('```');
    const notApplied = edges.flatMap((e) => e.notApplied);
    if (notApplied.length > 0) {
      lines.push('', '### Not applied by the wiring', '', 'These connections reach objects made elsewhere; their owners apply this side:', '');
      for (const n of notApplied) lines.push(`- ${n}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
