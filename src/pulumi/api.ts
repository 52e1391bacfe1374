/**
 * What teams deploying with Pulumi import: `import { PlatformDeployment, Cdk8sDeployment, KnativeServing, KnativeEventing, TektonInstall, KratixInstall, CrossplaneInstall } from 'platform-blueprints/pulumi'`.
 */
export * from './bridge';
export * from './crossplane';
export * from './declared-objects';
export * from './knative-eventing';
export * from './knative-serving';
export * from './kratix';
export * from './release-files';
export * from './release-install';
export * from './platform-deployment';
export * from './tekton';
export { ConfigError } from './config-error';
