/**
 * Hints for deployment tools, attached to synthesized objects. They never change the YAML; the Pulumi bridge
 * (src/pulumi/bridge.ts) reads them, and any other deployer can too.
 */
import { ApiObject } from 'cdk8s';

const STATEFUL = Symbol.for('platform-blueprints.stateful');

/**
 * Marks an object as holding state that must not be lost: deployers protect it from deletion and replacement
 * (Pulumi: `protect` and `retainOnDelete`).
 */
export function markStateful(obj: ApiObject, reason: string): void {
  Object.defineProperty(obj, STATEFUL, { value: reason, configurable: true });
}

/** Why an object is stateful, or undefined when it is not. */
export function statefulReason(obj: ApiObject): string | undefined {
  return (obj as any)[STATEFUL];
}
