/**
 * What teams deploying with Pulumi import: `import { Cdk8sDeployment, KnativeServing } from 'platform-blueprints/pulumi'`.
 */
export * from './bridge';
export * from './knative-eventing';
export * from './knative-serving';
export * from './release-install';
