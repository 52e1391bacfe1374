/**
 * Pulumi under mocks, through the package's testing entry (platform-blueprints/testing: MockedPulumi records each
 * registration as the engine receives it — dependencies, protect, retainOnDelete, secrets). The release fixtures it
 * ships are not served here: these tests pass their own readers (test/support/knative-release.ts), or test the
 * program's own reader.
 *
 * Resource transforms (the `transforms` option): the engine has run them since CLI 3.105, on a resource and on every
 * descendant — children a provider registers for a remote component (a yaml/v2 ConfigGroup) included. The mocks
 * accept them and record each registration's callbacks; `runTransforms` invokes those callbacks through the SDK's
 * callback server (its gRPC handler, called in-process) with the request the engine sends for a child, as the
 * engine does when the provider registers it.
 */
import * as pulumi from '@pulumi/pulumi';
import * as cbproto from '@pulumi/pulumi/proto/callback_pb';
import * as resproto from '@pulumi/pulumi/proto/resource_pb';
import { Struct } from 'google-protobuf/google/protobuf/struct_pb';
import { MockState, MockedPulumi, MockedRegistration } from '../../src/testing';

export type Registration = MockedRegistration;
export type { MockState, MockedPulumi };

export function mockPulumi(state: MockState = () => undefined): MockedPulumi {
  return MockedPulumi.start({ state, project: 'platform-blueprints', stack: 'test', releaseFixtures: false });
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

/** A resource a component's provider registers as its child (e.g. an object of a yaml/v2 ConfigGroup). */
export interface ChildRegistration {
  /** e.g. `kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition` */
  readonly type: string;
  readonly name: string;
  readonly props: any;
}

/** What the transforms made of a child's registration. */
export interface TransformedChild {
  readonly props: any;
  readonly retainOnDelete: boolean;
  readonly protect: boolean;
}

/**
 * Runs the transforms a component registered on one of its children, in order, as the engine does when a provider
 * registers that child under it: each callback gets the child's type, name, properties and options so far.
 */
export async function runTransforms(parent: Registration, child: ChildRegistration): Promise<TransformedChild> {
  // The SDK's callback server: what the engine calls (its gRPC handler, called in-process).
  const server: any = require('@pulumi/pulumi/runtime/settings').getCallbacks();
  let props = Struct.fromJavaScript(child.props);
  let options = new resproto.TransformResourceOptions();
  for (const callback of parent.transforms) {
    const request = new resproto.TransformRequest();
    request.setType(child.type);
    request.setName(child.name);
    request.setCustom(true);
    request.setParent(parent.urn);
    request.setProperties(props);
    request.setOptions(options);
    const invoke = new cbproto.CallbackInvokeRequest();
    invoke.setToken(callback.token);
    invoke.setRequest(request.serializeBinary());
    const response: cbproto.CallbackInvokeResponse = await new Promise((resolve, reject) => server.invoke({ request: invoke },
      (err: { details?: string } | null, res: cbproto.CallbackInvokeResponse) => (err ? reject(new Error(`transform callback: ${err.details}`)) : resolve(res))));
    const transformed = resproto.TransformResponse.deserializeBinary(response.getResponse_asU8());
    props = transformed.getProperties() ?? props;
    options = transformed.getOptions() ?? options;
  }
  return { props: props.toJavaScript(), retainOnDelete: options.getRetainOnDelete() === true, protect: options.getProtect() === true };
}

/**
 * The children pulumi-kubernetes' provider registers for a yaml/v2 ConfigGroup, one per object of its `objs`: typed
 * `kubernetes:<group, or core>/<version>:<kind>` (its typed class, or CustomResource, whose token has the same form)
 * and named `<group name>:<namespace>/<name>` (the ConfigGroup's name is the default resourcePrefix;
 * provider/pkg/provider/yaml/v2/yaml.go and sdk/go/kubernetes/yaml/v2/kinds.go).
 */
export function configGroupChildren(group: Registration): ChildRegistration[] {
  return (group.inputs.objs as any[]).map((o) => {
    const [g, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['core', o.apiVersion];
    const ns = o.metadata?.namespace;
    return { type: `kubernetes:${g}/${version}:${o.kind}`, name: `${group.name}:${ns ? `${ns}/` : ''}${o.metadata.name}`, props: o };
  });
}

/**
 * The children of the named ConfigGroups that the provider would retain on delete, after their transforms ran; fails
 * the test if any object other than a CustomResourceDefinition is retained.
 */
export async function retainedOnDelete(mocked: MockedPulumi, groups: string[]): Promise<string[]> {
  const retained: string[] = [];
  for (const name of groups) {
    const group = mocked.get('kubernetes:yaml/v2:ConfigGroup', name);
    for (const child of configGroupChildren(group)) {
      const result = await runTransforms(group, child);
      expect(result.retainOnDelete).toBe(child.props.kind === 'CustomResourceDefinition');
      if (result.retainOnDelete) retained.push(child.name);
    }
  }
  return retained;
}

/** The stack configuration of the program's tests: `platform-blueprints:<key>` settings, as `pulumi config set` gives them. */
export function stackConfig(values: { [key: string]: string }): pulumi.Config {
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`platform-blueprints:${k}`, v])));
  return new pulumi.Config('platform-blueprints');
}

/** The mock state of the program's resources besides the testing entry's (Knative URLs, Broker addresses): the Redis password generated. */
export function programState(args: pulumi.runtime.MockResourceArgs): Record<string, any> | undefined {
  if (args.type === 'random:index/randomPassword:RandomPassword') return { result: 'mock-generated-password-42' };
  return undefined;
}
