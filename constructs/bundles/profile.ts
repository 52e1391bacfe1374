import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { StoreSize } from '../crossplane/key-value-store';
import { ScaleOptions } from '../knative/autoscaling';

/** How a bundle sizes what it creates. Explicit props always win over the profile. */
export enum Profile {
  /** Smallest footprint: functions scale to zero, one gateway pod, a small in-cluster Redis, no disruption budget. */
  DEV = 'dev',
  /** No cold starts, two gateway pods, larger resources; the store is claimed from a platform API (medium). */
  PROD = 'prod',
}

/** Where a platform's key/value store comes from. */
export enum StoreBackend {
  /** A Redis StatefulSet in the platform's namespace. */
  IN_CLUSTER = 'in-cluster',
  /** A KeyValueStore claimed from a Crossplane platform API (in-cluster or managed, by composition). */
  CLAIM = 'claim',
}

/** The defaults a profile stands for (documented in README "Profiles"): the one table every bundle and entry reads. */
export interface ProfileDefaults {
  readonly functionScale: ScaleOptions;
  readonly functionResources: kplus.ContainerResources;
  readonly gatewayScale: ScaleOptions;
  readonly gatewayResources: kplus.ContainerResources;
  readonly redisResources: kplus.ContainerResources;
  readonly redisStorage: Size;
  readonly redisDisruptionBudget: boolean;
  readonly storeBackend: StoreBackend;
  readonly storeSize: StoreSize;
  readonly rabbitmqReplicas: number;
  readonly rabbitmqResources: kplus.ContainerResources;
  readonly rabbitmqStorage: Size;
}

const DEFAULTS: { [profile: string]: ProfileDefaults } = {
  [Profile.DEV]: {
    functionScale: { min: 0 },
    functionResources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) } },
    gatewayScale: { min: 1, max: 3 },
    gatewayResources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) } },
    redisResources: { cpu: { request: kplus.Cpu.millis(100) }, memory: { request: Size.mebibytes(256), limit: Size.mebibytes(256) } },
    redisStorage: Size.gibibytes(1),
    redisDisruptionBudget: false,
    storeBackend: StoreBackend.IN_CLUSTER,
    storeSize: StoreSize.SMALL,
    rabbitmqReplicas: 1,
    rabbitmqResources: { cpu: { request: kplus.Cpu.millis(250) }, memory: { request: Size.mebibytes(768), limit: Size.mebibytes(768) } },
    rabbitmqStorage: Size.gibibytes(2),
  },
  [Profile.PROD]: {
    functionScale: { min: 1 },
    functionResources: { cpu: { request: kplus.Cpu.millis(250) }, memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } },
    gatewayScale: { min: 2, max: 10 },
    gatewayResources: { cpu: { request: kplus.Cpu.millis(250) }, memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) } },
    redisResources: { cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) } },
    redisStorage: Size.gibibytes(10),
    redisDisruptionBudget: true,
    storeBackend: StoreBackend.CLAIM,
    storeSize: StoreSize.MEDIUM,
    rabbitmqReplicas: 3,
    rabbitmqResources: { cpu: { request: kplus.Cpu.millis(1000) }, memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } },
    rabbitmqStorage: Size.gibibytes(20),
  },
};

export function profileDefaults(profile: Profile): ProfileDefaults {
  return DEFAULTS[profile];
}

/** The profiles' defaults, for entry points and bundles of your own. */
export class PlatformProfile {
  /** What a profile sizes and picks when a prop is left out. */
  public static defaults(profile: Profile): ProfileDefaults {
    return profileDefaults(profile);
  }

  private constructor() {}
}
