/**
 * The Pulumi program: Knative Serving (+ kourier) first, then the reference functions platform, built in-process
 * from the same constructs as dist/ and deployed object by object through the bridge.
 */
import { App } from 'cdk8s';
import * as pulumi from '@pulumi/pulumi';
import { KnativeFunction } from '../../constructs';
import { buildReferencePlatform } from '../reference-platform';
import { Cdk8sDeployment } from './bridge';
import { ProgramConfig, readConfig } from './config';
import { KnativeServing, ManifestReader, manifestReader } from './knative-serving';

export interface ProgramOutputs {
  /** Public URL of the gateway, as Knative reports it. */
  readonly gatewayUrl: pulumi.Output<string | undefined>;
  readonly namespace: string;
  /** In-cluster URLs of the functions. */
  readonly functions: { [name: string]: string };
  /** Secret holding the Redis password (the value is a Pulumi secret, never an output). */
  readonly redisPasswordSecret: string;
}

export interface ProgramOptions {
  /** @default readConfig() - the stack configuration */
  readonly config?: ProgramConfig;
  /** How Knative manifests are read. @default - over HTTPS, or from knativeManifestsDir */
  readonly reader?: ManifestReader;
}

export function runProgram(options: ProgramOptions = {}): ProgramOutputs {
  const config = options.config ?? readConfig();
  const app = new App();
  const platform = buildReferencePlatform(app, config.platform);

  let knative: KnativeServing | undefined;
  if (config.installKnative) {
    knative = new KnativeServing('knative-serving', {
      domain: config.knativeDomain,
      ingressServiceType: config.ingressServiceType,
      // The cluster must allow the longest timeout the platform asks for (the gateway's, for WebSockets).
      maxRevisionTimeoutSeconds: Math.max(600, KnativeFunction.maxTimeoutSeconds(app) ?? 0),
      reader: options.reader ?? manifestReader(config.knativeManifestsDir),
    });
  }

  const redisSecret = platform.redis.passwordSecret;
  const deployment = new Cdk8sDeployment('functions-platform', {
    root: app,
    apiGroupDependencies: knative ? { 'serving.knative.dev': knative.ready } : {},
    secretValues: config.redisPassword ? { [redisSecret.secretName]: { [redisSecret.key]: config.redisPassword } } : {},
  });

  const gateway = platform.gateway.service;
  const gatewayResource = deployment.resource('serving.knative.dev/v1', 'Service', gateway.namespace, gateway.name) as any;
  return {
    gatewayUrl: pulumi.output(gatewayResource.status).apply((s: any) => s?.url as string | undefined),
    namespace: platform.namespace,
    functions: Object.fromEntries(platform.functions.map((f) => [f.name, f.url])),
    redisPasswordSecret: redisSecret.secretName,
  };
}
