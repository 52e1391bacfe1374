import * as pulumi from '@pulumi/pulumi';
import { PlatformDeployment } from 'platform-blueprints/pulumi';
import { buildApp } from './app';

// `pulumi up`: the installs the app needs (here Knative Serving + kourier and the event stack), then its objects.
export = async () => {
  const config = new pulumi.Config();
  const { app, platform, events } = buildApp();
  const deployment = await PlatformDeployment.create('team', {
    app,
    knativeDomain: config.get('knativeDomain'),
    ingressServiceType: config.get('ingressServiceType'),
    allowUnpinnedReleases: config.getBoolean('allowUnpinnedReleases'),
  });
  return {
    gatewayUrl: deployment.urlOf(platform.gateway.service),
    brokerAddress: deployment.addressOf(events.broker),
    storeSecret: deployment.secretNameOf(platform.redis!),
  };
};
