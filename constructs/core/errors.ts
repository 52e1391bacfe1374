import { Construct, IConstruct } from 'constructs';

/**
 * Called with every ValidationError (and Pulumi ConfigError) as it is created. Not part of the public API: the
 * bad-input catalogue (`npm run docs:bad-input`) records the test suite's example messages through it.
 * @internal
 */
export const errorObservers: Array<(error: Error) => void> = [];

/** @internal */
export function notifyErrorObservers(error: Error): void {
  for (const observe of errorObservers) observe(error);
}

/**
 * The one error class for bad input. Thrown eagerly (in constructors and wiring methods) with a message that names
 * the construct path, the field, the bad value and how to fix it:
 *
 *   `platform/functions/score: scale.min (5) must be <= scale.max (2); raise scale.max or lower scale.min`
 *
 * Anything else thrown by this library is a bug.
 *
 * TypeScript only: jsii cannot represent a subclass of the JavaScript `Error`. From Python and Java the error arrives
 * as the jsii runtime's exception for a JavaScript error (Python `RuntimeError`, a Java `RuntimeException`)
 * carrying the same message.
 * @jsii ignore a JavaScript Error subclass has no jsii representation
 */
export class ValidationError extends Error {
  /** True for every instance; survives module duplication where `instanceof` would not. */
  public static isValidationError(x: unknown): x is ValidationError {
    return x instanceof Error && (x as any).isPlatformBlueprintsValidationError === true;
  }

  /** Path of the construct whose input is invalid. */
  public readonly constructPath: string;
  /** The field (dotted path into the props, e.g. `scale.min`). */
  public readonly field: string;
  public readonly isPlatformBlueprintsValidationError = true;

  public constructor(scope: IConstruct, field: string, problem: string) {
    const constructPath = scope.node.path || '<app>';
    super(`${constructPath}: ${field} ${problem}`);
    this.name = 'ValidationError';
    this.constructPath = constructPath;
    this.field = field;
    notifyErrorObservers(this);
  }
}

/**
 * Stands for a construct that is being created, in errors raised before it exists (an ApiObject checks its props
 * before its constructor calls `super`): the path it will have.
 * @internal
 */
export function pendingScope(scope: IConstruct, id: string): IConstruct {
  const path = scope.node.path ? `${scope.node.path}/${id}` : id;
  return { node: { path } } as unknown as IConstruct;
}

/** Renders a value for an error message: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  // A construct where another was expected: its class and path (constructs are circular, JSON cannot show them).
  if (value !== null && typeof value === 'object' && Construct.isConstruct(value)) {
    return `${value.constructor.name} ${value.node.path || '<app>'}`;
  }
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch {
    return String(value);
  }
}

/**
 * Throws a ValidationError of the form `<path>: <field> (<value>) <rule>; <hint>`.
 */
export function invalid(scope: IConstruct, field: string, value: unknown, rule: string, hint?: string): never {
  throw new ValidationError(scope, field, `(${show(value)}) ${rule}${hint ? `; ${hint}` : ''}`);
}
