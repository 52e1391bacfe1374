/**
 * Pulumi under mocks, recording what each registration asked of the engine. The public mock API reports type,
 * name and inputs; dependencies, protect and retainOnDelete are read from the registration request itself by
 * wrapping the mock monitor, so tests see exactly what `pulumi up` would send.
 */
import * as pulumi from '@pulumi/pulumi';

export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: any;
  readonly custom: boolean;
  readonly parent: string;
  /** URNs this resource depends on (dependsOn and input dependencies). */
  readonly dependencies: string[];
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** customTimeouts.create, when set. */
  readonly createTimeout?: string;
  /** Property paths whose change replaces the resource. */
  readonly replaceOnChanges: string[];
  readonly deleteBeforeReplace: boolean;
}

export interface MockedPulumi {
  readonly registrations: Registration[];
  /** The registration of a resource by type and name. */
  get(type: string, name: string): Registration;
  /** Names of the resources a resource depends on. */
  dependencyNames(type: string, name: string): string[];
}

/** Knative Service state as the provider reports it: status only once it waited for Ready (`pulumi.com/waitFor`). */
export function knativeServiceState(args: pulumi.runtime.MockResourceArgs): Record<string, any> | undefined {
  if (args.type !== 'kubernetes:serving.knative.dev/v1:Service') return undefined;
  const meta = args.inputs.metadata;
  if (meta.annotations?.['pulumi.com/waitFor'] !== 'condition=Ready') return undefined;
  return { status: { url: `http://${meta.name}.${meta.namespace}.127.0.0.1.sslip.io`, conditions: [{ type: 'Ready', status: 'True' }] } };
}

/** Outputs a mocked resource reports back, by type (e.g. a Knative Service's status). */
export type MockState = (args: pulumi.runtime.MockResourceArgs) => Record<string, any> | undefined;

export function mockPulumi(state: MockState = () => undefined): MockedPulumi {
  const registrations: Registration[] = [];
  pulumi.runtime.setMocks({
    newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, ...state(args) } }),
    call: (args) => args.inputs,
  }, 'platform-blueprints', 'test', false);
  const monitor: any = require('@pulumi/pulumi/runtime/settings').getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: any) => register(req, (err: any, res: any) => {
    if (!err) {
      registrations.push({
        type: req.getType(),
        name: req.getName(),
        urn: res.getUrn(),
        inputs: req.getObject()?.toJavaScript(),
        custom: req.getCustom(),
        parent: req.getParent(),
        dependencies: req.getDependenciesList(),
        protect: req.getProtect() === true,
        retainOnDelete: req.getRetainondelete() === true,
        createTimeout: req.getCustomtimeouts()?.getCreate() || undefined,
        replaceOnChanges: req.getReplaceonchangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace() === true,
      });
    }
    callback(err, res);
  });
  const get = (type: string, name: string) => {
    const found = registrations.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} ${name}, found ${found.length} (of ${registrations.length})`);
    return found[0];
  };
  return {
    registrations,
    get,
    dependencyNames: (type, name) => get(type, name).dependencies.map((urn) => urn.split('::').pop() as string),
  };
}

/** Resolves an Output in a test (under mocks, unknowns never occur). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits until every resource registration started so far has completed. */
export async function settle(resources: pulumi.Resource[]): Promise<void> {
  await Promise.all(resources.map((r) => valueOf(r.urn)));
  await new Promise((r) => setTimeout(r, 0));
}
