/**
 * Hints for deployment tools, attached to synthesized objects. They never change the YAML; the Pulumi bridge
 * (src/pulumi/bridge.ts) reads them, and any other deployer can too.
 */
import { ApiObject } from 'cdk8s';

const STATEFUL = Symbol.for('platform-blueprints.stateful');
const READY_CONDITION = Symbol.for('platform-blueprints.ready-condition');
const REPLACE_ON_CHANGES = Symbol.for('platform-blueprints.replace-on-changes');
const PROVIDES_API_GROUPS = Symbol.for('platform-blueprints.provides-api-groups');
const DEPENDS_ON = Symbol.for('platform-blueprints.depends-on');

export class DeployHints {
  /**
   * Marks an object as holding state that must not be lost: deployers protect it from deletion and replacement
   * (Pulumi: `protect` and `retainOnDelete`), and the namespace it lives in too.
   */
  public static markStateful(obj: ApiObject, reason: string): void {
    Object.defineProperty(obj, STATEFUL, { value: reason, configurable: true });
  }

  /** Why an object is stateful, or undefined when it is not. */
  public static statefulReason(obj: ApiObject): string | undefined {
    return (obj as any)[STATEFUL];
  }

  /**
   * Declares the status conditions that say the object is ready (e.g. a Knative Service's `Ready`; a v1 XRD's
   * `Established` and `Offered`). Deployers wait for all of them instead of reporting success when the object is
   * merely accepted (Pulumi: `pulumi.com/waitFor`), for at most `timeoutMinutes` when given.
   */
  public static awaitCondition(obj: ApiObject, condition: string, timeoutMinutes?: number): void {
    DeployHints.awaitConditions(obj, [condition], timeoutMinutes);
  }

  /** Like awaitCondition, for several conditions that must all hold. */
  public static awaitConditions(obj: ApiObject, conditions: string[], timeoutMinutes?: number): void {
    Object.defineProperty(obj, READY_CONDITION, { value: { conditions: [...conditions], timeoutMinutes }, configurable: true });
  }

  /** The first readiness condition declared for an object, or undefined. */
  public static readyCondition(obj: ApiObject): string | undefined {
    return DeployHints.readyConditions(obj)[0];
  }

  /** Every readiness condition declared for an object (empty when none). */
  public static readyConditions(obj: ApiObject): string[] {
    return (obj as any)[READY_CONDITION]?.conditions ?? [];
  }

  /** How long a deployer should wait for readiness, in minutes, when the object says so. */
  public static readyTimeoutMinutes(obj: ApiObject): number | undefined {
    return (obj as any)[READY_CONDITION]?.timeoutMinutes;
  }

  /**
   * Declares fields the API server refuses to change after creation (e.g. a RabbitMQ Broker's whole spec): a change
   * must replace the object (Pulumi: `replaceOnChanges`, with delete-before-replace as the name is fixed).
   * Paths are Pulumi property paths, e.g. `spec` or `spec.filter`.
   */
  public static replaceOnChanges(obj: ApiObject, paths: string[]): void {
    Object.defineProperty(obj, REPLACE_ON_CHANGES, { value: [...paths], configurable: true });
  }

  /** The immutable field paths declared for an object (empty when none). */
  public static immutableFields(obj: ApiObject): string[] {
    return (obj as any)[REPLACE_ON_CHANGES] ?? [];
  }

  /**
   * Declares that an object serves an API group once it is ready (a CompositeResourceDefinition its group, a
   * Crossplane Provider its managed resources' groups): deployers create objects of that group after it.
   */
  public static providesApiGroup(obj: ApiObject, group: string): void {
    Object.defineProperty(obj, PROVIDES_API_GROUPS, { value: [...DeployHints.providedApiGroups(obj), group], configurable: true });
  }

  /** The API groups an object serves (empty when none). */
  public static providedApiGroups(obj: ApiObject): string[] {
    return (obj as any)[PROVIDES_API_GROUPS] ?? [];
  }

  /**
   * Declares that an object must be created after another one is ready (e.g. a Composition after its XRD and the
   * functions its pipeline calls), beyond what deployers derive themselves.
   */
  public static dependsOn(obj: ApiObject, other: ApiObject): void {
    const current = DeployHints.dependencies(obj);
    if (!current.includes(other)) Object.defineProperty(obj, DEPENDS_ON, { value: [...current, other], configurable: true });
  }

  /** The objects an object was declared to depend on. */
  public static dependencies(obj: ApiObject): ApiObject[] {
    return (obj as any)[DEPENDS_ON] ?? [];
  }

  private constructor() {}
}
