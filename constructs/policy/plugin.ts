/**
 * The platform policy as a cdk8s validation plugin: `cdk8s synth` runs it on the synthesized manifests and fails with
 * a report (rule, object, construct path, fix). Declare it in cdk8s.yaml:
 *
 *   validations:
 *     - package: platform-blueprints
 *       version: <the version you depend on>
 *       class: PolicyValidation
 *       properties: { requireDigests: true }   # optional: PolicyOptions
 *
 * The cdk8s CLI's plugin contract is structural (an object with `validate(context)`); the shapes it needs are
 * declared here so the library does not depend on the CLI at runtime.
 *
 * TypeScript only (not in the jsii assembly): the cdk8s CLI loads the plugin from the npm package whatever the
 * language of the app, so a Python or Java app declares it in cdk8s.yaml the same way and never calls it.
 */
import { PlatformPolicy, PolicyOptions, PolicyViolation } from './policy';

/**
 * What the cdk8s CLI passes to a validation plugin (the parts this plugin uses).
 * @jsii ignore the cdk8s CLI loads it from the npm package for apps in any language
 */
export interface IValidationContext {
  readonly manifests: readonly string[];
  readonly report: IValidationReport;
  readonly logger: { log(message: string): void };
  parseManifest(manifestPath: string): any[];
}

/**
 * The report of the cdk8s CLI (the parts this plugin uses).
 * @jsii ignore the cdk8s CLI loads it from the npm package for apps in any language
 */
export interface IValidationReport {
  addViolation(violation: {
    readonly ruleName: string;
    readonly recommendation: string;
    readonly fix: string;
    readonly violatingResources: ReadonlyArray<{ readonly resourceName: string; readonly locations: readonly string[]; readonly manifestPath: string }>;
  }): void;
  submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
}

/**
 * The cdk8s validation plugin (see the module comment).
 * @jsii ignore the cdk8s CLI loads it from the npm package for apps in any language
 */
export class PolicyValidation {
  private readonly options: PolicyOptions;

  /** `properties` from cdk8s.yaml. */
  public constructor(properties: PolicyOptions = {}) {
    this.options = { ...properties };
  }

  public async validate(context: IValidationContext): Promise<void> {
    // One check over the objects of every manifest: the rules that relate objects (a namespace and its default-deny
    // policy, prod namespaces, one entrypoint per namespace) must see them together, whichever chart holds them.
    const all: Array<{ doc: any; manifestPath: string }> = [];
    for (const manifestPath of context.manifests) {
      for (const doc of context.parseManifest(manifestPath)) if (doc && typeof doc === 'object') all.push({ doc, manifestPath });
    }
    const objects = all.length;
    const byIdentity = new Map(all.map((o) => [identity(o.doc), o.manifestPath]));
    const found: Array<{ violation: PolicyViolation; manifestPath: string }> = PlatformPolicy.check(all.map((o) => o.doc), this.options)
      .map((violation) => ({ violation, manifestPath: byIdentity.get(identity(violation)) ?? context.manifests[0] }));
    // One entry per rule and message, as the report lists violations by rule.
    const byRule = new Map<string, typeof found>();
    for (const f of found) {
      const key = `${f.violation.ruleId} ${f.violation.rule}: ${f.violation.message}`;
      byRule.set(key, [...byRule.get(key) ?? [], f]);
    }
    for (const [ruleName, entries] of byRule) {
      context.report.addViolation({
        ruleName,
        recommendation: entries[0].violation.message,
        fix: entries[0].violation.fix,
        violatingResources: entries.map((e) => ({ resourceName: e.violation.name, locations: e.violation.locations, manifestPath: e.manifestPath })),
      });
    }
    context.logger.log(`platform policy: ${objects} object(s), ${found.length} violation(s)`);
    context.report.submit(found.length ? 'failure' : 'success', { objects: String(objects), violations: String(found.length) });
  }
}

function identity(o: { apiVersion?: string; kind?: string; namespace?: string; name?: string; metadata?: any }): string {
  return [o.apiVersion, o.kind, o.namespace ?? o.metadata?.namespace ?? '', o.name ?? o.metadata?.name].join(' ');
}
