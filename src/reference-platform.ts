/**
 * The reference functions platform, built the same way by the cdk8s entry (src/main.ts → dist/) and the Pulumi
 * program (src/pulumi/index.ts → a cluster). Only the knobs below differ between environments.
 */
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  CloudEventType, ContinuousVerification, CrossplaneMode, KratixPromise, EventDrivenPlatform, EventFilter, FunctionProbe, FunctionsPlatform, GcpMemorystoreOptions, KnativeFunction, Language, PingSource,
  PlatformApis, PlatformPolicy, PlatformProfile, PolicyRuleId, Profile, PublicDomainOptions, StoreBackend, StoreProvider, TeamSpace,
} from '../constructs';
import { PIPELINE_SPECS } from './kratix/specs';

/** Knobs of the reference platform (the Pulumi stack config maps onto these). */
export interface ReferencePlatformOptions {
  /** @default Profile.DEV */
  readonly profile?: Profile;
  /** @default 'functions' */
  readonly namespace?: string;
  /** Namespace of the event infrastructure (RabbitMQ, broker, triggers, sources). @default 'events' */
  readonly eventsNamespace?: string;
  /** Image overrides by function name (`hello`, `player`, `echo`, `leaderboard`), `gateway`, `redis`, `deadLetters` and `alerts`. @default - the images below */
  readonly images?: { [name: string]: string };
  /** Minimum gateway pods. @default - the profile's (dev 1, prod 2) */
  readonly gatewayMinScale?: number;
  /** The gateway's own domain over HTTPS (DomainMapping, cert-manager Certificate). @default - none */
  readonly gatewayDomain?: PublicDomainOptions;
  /** Minimum pods per function. @default - the profile's (dev 0, prod 1) */
  readonly functionMinScale?: number;
  /** Redis volume size in GiB (in-cluster store). @default - the profile's (dev 1, prod 10) */
  readonly redisStorageGi?: number;
  /** Where the functions' store comes from. @default - the profile's (dev in-cluster, prod claimed) */
  readonly store?: StoreBackend;
  /** Publish the platform APIs (Crossplane XRDs, compositions, packages). @default true */
  readonly platformApis?: boolean;
  /** @default CrossplaneMode.NAMESPACED */
  readonly crossplaneMode?: CrossplaneMode;
  /** Adds the GCP Memorystore composition. @default - none */
  readonly gcp?: GcpMemorystoreOptions;
  /** Composition the claimed store uses. @default - the API's default (local, or gcp when it is configured) */
  readonly storeProvider?: StoreProvider;
  /** Namespace of the continuous verification (Tekton pipeline, listener, transforms). @default 'delivery' */
  readonly verificationNamespace?: string;
  /** Load-test every deployed or upgraded revision of `hello` and `echo` (Tekton, CDEvents). @default true */
  readonly verification?: boolean;
  /** Offer the functions platform and the AMQP broker as Kratix Promises. @default true */
  readonly promises?: boolean;
}

/**
 * Chart ids, hence the file names in dist/ (`platform-apis.k8s.yaml`, `functions-platform.k8s.yaml`,
 * `event-driven-platform.k8s.yaml`).
 */
export const PLATFORM_APIS_CHART_ID = 'platform-apis';
export const TEAMS_CHART_ID = 'teams';
export const REFERENCE_CHART_ID = 'functions-platform';
export const EVENTS_CHART_ID = 'event-driven-platform';
export const VERIFICATION_CHART_ID = 'continuous-verification';
export const PROMISES_CHART_ID = 'kratix-promises';



/** The event the game is about: the CloudEvents Player publishes it, the leaderboard consumes it. */
export const SCORE_EVENT = CloudEventType.of('dev.platform-blueprints.game.score', {
  description: 'a player scored (sent from the CloudEvents Player UI)',
});

/** The parts of the reference platform. */
export interface ReferencePlatform {
  /** The application teams hosted on the platform. */
  readonly teams: TeamSpace[];
  /** The platform APIs (absent when `platformApis` is false). */
  readonly apis?: PlatformApis;
  readonly functions: FunctionsPlatform;
  readonly events: EventDrivenPlatform;
  /** The continuous verification (absent when `verification` is false). */
  readonly verification?: ContinuousVerification;
  /** The Kratix Promises (none when `promises` is false). */
  readonly promises: KratixPromise[];
}

/**
 * Real public images. Knative's own samples publish only `latest` tags; pin digests in production (README).
 * - hello: Knative's Go hello-world sample (uid 1001, reads TARGET).
 * - player: the CloudEvents Player from the Knative getting-started tutorial (Java/Quarkus, uid 1001): its UI sends
 *   score events to the broker (BROKER_URI) and shows the events it receives.
 * - echo: an HTTP echo server in Node.js (uid 1000), handy to see what the gateway forwards.
 * - leaderboard: Knative's event_display sample (Go, nonroot) stands in for the leaderboard: it logs every score
 *   event it receives.
 */
export const REFERENCE_IMAGES: { [name: string]: string } = {
  hello: 'ghcr.io/knative/helloworld-go:latest',
  player: 'quay.io/ruben/cloudevents-player:latest',
  echo: 'docker.io/mendhak/http-https-echo:37',
  leaderboard: 'gcr.io/knative-releases/knative.dev/eventing/cmd/event_display:latest',
};

/** The names `images` may override. */
export const IMAGE_NAMES = [...Object.keys(REFERENCE_IMAGES), 'gateway', 'redis', 'deadLetters', 'alerts'];

export function buildReferencePlatform(scope: Construct, options: ReferencePlatformOptions = {}): ReferencePlatform {
  const apis = options.platformApis === false ? undefined : new PlatformApis(new Chart(scope, PLATFORM_APIS_CHART_ID, { disableResourceNameHashes: true }), 'Apis', {
    mode: options.crossplaneMode,
    gcp: options.gcp,
    defaultStoreProvider: options.gcp ? StoreProvider.GCP : StoreProvider.LOCAL,
    redisImage: options.images?.redis,
  });
  const functions = buildFunctions(scope, options, apis);
  const events = buildEvents(scope, functions, options);
  const teams = buildTeams(scope, events, apis);
  const verification = options.verification === false ? undefined : buildVerification(scope, functions, events, options);
  const promises = options.promises === false ? [] : buildPromises(scope);
  return { apis, functions, events, teams, verification, promises };
}

function buildFunctions(scope: Construct, options: ReferencePlatformOptions, apis: PlatformApis | undefined): FunctionsPlatform {
  const chart = new Chart(scope, REFERENCE_CHART_ID, { disableResourceNameHashes: true });
  const images = { ...REFERENCE_IMAGES, ...options.images };
  const scale = options.functionMinScale !== undefined ? { min: options.functionMinScale } : undefined;
  const profile = options.profile ?? Profile.DEV;
  const claimed = (options.store ?? PlatformProfile.defaults(profile).storeBackend) === StoreBackend.CLAIM;
  const platform = new FunctionsPlatform(chart, 'Platform', {
    namespace: options.namespace ?? 'functions',
    profile,
    functions: [
      {
        name: 'hello',
        image: images.hello,
        language: Language.GO,
        env: { TARGET: kplus.EnvValue.fromValue('platform-blueprints') },
        securityContext: { user: 1001 },
        readiness: FunctionProbe.http('/'),
        scale,
      },
      {
        name: 'player',
        image: images.player,
        language: Language.JAVA,
        // KNATIVE mode: sends to BROKER_URI (given by the event platform's broker.addPublisher).
        env: { PLAYER_MODE: kplus.EnvValue.fromValue('KNATIVE') },
        securityContext: { user: 1001 },
        // The player keeps a WebSocket open to its UI.
        timeout: Duration.minutes(10),
        scale,
      },
      {
        name: 'echo',
        image: images.echo,
        language: Language.NODEJS,
        env: { HTTP_PORT: kplus.EnvValue.fromValue('8080') },
        securityContext: { user: 1000 },
        readiness: FunctionProbe.http('/'),
        scale,
      },
      {
        name: 'leaderboard',
        image: images.leaderboard,
        language: Language.GO,
        scale,
      },
    ],
    store: options.store,
    storeApi: apis?.keyValueStore,
    ...(claimed ? {
      storeClaim: { provider: options.storeProvider },
    } : {
      redis: {
        image: images.redis,
        storage: options.redisStorageGi !== undefined ? Size.gibibytes(options.redisStorageGi) : undefined,
      },
    }),
    gateway: {
      image: images.gateway,
      // The player's web UI (and its WebSocket at /socket) at the root; the other functions under /api.
      routes: [
        { path: '/', function: 'player', stripPrefix: false },
        { path: '/api/hello', function: 'hello' },
        { path: '/api/echo', function: 'echo' },
      ],
      scale: options.gatewayMinScale !== undefined ? { min: options.gatewayMinScale } : undefined,
      domain: options.gatewayDomain,
    },
  });
  // The samples Knative publishes have only a `latest` tag, and a prod namespace asks for digests: where a sample
  // image stays, the policy's exemption says so where reviewers look.
  for (const fn of platform.functions) {
    const image = images[fn.name];
    if (image === undefined || image !== REFERENCE_IMAGES[fn.name] || image.includes('@sha256:')) continue;
    if (image.endsWith(':latest')) {
      PlatformPolicy.exempt(fn.resource, PolicyRuleId.PINNED_IMAGES, `a Knative sample image published only as latest; override it with a digest in production (images.${fn.name}; Pulumi config platform-blueprints:images)`);
    } else if (profile === Profile.PROD) {
      PlatformPolicy.exempt(fn.resource, PolicyRuleId.PINNED_IMAGES, `a sample image pinned by version tag; override it with a digest in production (images.${fn.name}; Pulumi config platform-blueprints:images)`);
    }
  }
  return platform;
}


function buildEvents(scope: Construct, functions: FunctionsPlatform, options: ReferencePlatformOptions): EventDrivenPlatform {
  const chart = new Chart(scope, EVENTS_CHART_ID, { disableResourceNameHashes: true });
  const events = new EventDrivenPlatform(chart, 'Platform', {
    namespace: options.eventsNamespace ?? 'events',
    profile: options.profile ?? Profile.DEV,
    broker: { name: 'game' },
    deadLetterImage: sampleInProd(options, 'deadLetters'),
  });
  exemptSample(events.deadLetterSink as KnativeFunction, options, 'deadLetters');
  const player = functions.functionNamed('player');
  // Score events: the player publishes them, the leaderboard subscribes.
  events.broker.addPublisher(player, { emits: [SCORE_EVENT], envName: 'BROKER_URI' });
  events.broker.subscribe(functions.functionNamed('leaderboard'), { filters: [EventFilter.type(SCORE_EVENT)] });
  // A game tick every five minutes, shown in the player's activity list.
  new PingSource(chart, 'GameTick', {
    name: 'game-tick',
    namespace: events.namespace,
    schedule: '*/5 * * * *',
    data: '{"round":"tick"}',
    sink: events.broker,
  });
  events.broker.subscribe(player, { filters: [EventFilter.type(CloudEventType.PING)] });
  return events;
}

/**
 * A team hosted on the platform, in its own space: the analytics team owns its subscriptions. Its space has a broker
 * of its own, fed by the platform with the score events only (the grant); the same `broker.subscribe` call on the
 * shared broker puts the team function's Trigger on the team's broker, in the team's namespace, where the team's
 * role manages it. The team may claim stores from the platform's API.
 */
function buildTeams(scope: Construct, events: EventDrivenPlatform, apis: PlatformApis | undefined): TeamSpace[] {
  const chart = new Chart(scope, TEAMS_CHART_ID, { disableResourceNameHashes: true });
  const analytics = new TeamSpace(chart, 'Analytics', {
    team: 'analytics',
    groups: ['team-analytics'],
    quota: { cpu: kplus.Cpu.units(2), memory: Size.gibibytes(4), pods: 20, functions: 10 },
    claimable: apis ? [apis.keyValueStore.api] : [],
    events: { broker: events.broker, grants: [SCORE_EVENT] },
  });
  // An HTTP echo server logs every score event it receives.
  const stats = analytics.addFunction('ScoreStats', {
    name: 'score-stats',
    image: REFERENCE_IMAGES.echo,
    language: Language.NODEJS,
    env: { HTTP_PORT: kplus.EnvValue.fromValue('8080') },
    securityContext: { user: 1000 },
    readiness: FunctionProbe.http('/'),
  });
  events.broker.subscribe(stats, { filters: [EventFilter.type(SCORE_EVENT)] });
  return [analytics];
}

/**
 * Continuous verification: every revision of `hello` and `echo` that becomes ready is load-tested by k6 in Tekton
 * (started by the `service.deployed` / `service.upgraded` CDEvents of the lifecycle source), and a failed verdict
 * (`testsuiterun.finished`, outcome failure) goes to the `verification-alerts` function, which logs it.
 */
function buildVerification(scope: Construct, functions: FunctionsPlatform, events: EventDrivenPlatform, options: ReferencePlatformOptions): ContinuousVerification {
  const chart = new Chart(scope, VERIFICATION_CHART_ID, { disableResourceNameHashes: true });
  const verification = new ContinuousVerification(chart, 'Verification', {
    namespace: options.verificationNamespace ?? 'delivery',
    profile: options.profile,
    broker: events.broker,
    functions: [functions.functionNamed('hello'), functions.functionNamed('echo')],
    loadTest: { duration: Duration.seconds(30), rate: 10, p95LatencyMs: 500, maxErrorRate: 0.01 },
    notificationImage: sampleInProd(options, 'alerts'),
  });
  exemptSample(verification.failureSink as KnativeFunction, options, 'alerts');
  return verification;
}

/**
 * A prod platform gets no tag-only default image from the library (it names the prop to set instead): the reference
 * platform, a demo, chooses Knative's event_display sample for its dead letters and alerts explicitly, as it does
 * for its leaderboard, and says so in the policy exemption.
 */
function sampleInProd(options: ReferencePlatformOptions, name: string): string | undefined {
  return options.images?.[name] ?? (options.profile === Profile.PROD ? REFERENCE_IMAGES.leaderboard : undefined);
}

function exemptSample(fn: KnativeFunction, options: ReferencePlatformOptions, name: string): void {
  if (options.profile !== Profile.PROD || options.images?.[name] !== undefined) return;
  PlatformPolicy.exempt(fn.resource, PolicyRuleId.PINNED_IMAGES, `a Knative sample image published only as latest; override it with a digest in production (images.${name}; Pulumi config platform-blueprints:images)`);
}

/**
 * One Promise per bundle spec. Their prerequisites (the KeyValueStore API a claimed store needs) are the platform
 * APIs chart's, on this cluster: the Promises declare no `dependencies` of their own.
 */
function buildPromises(scope: Construct): KratixPromise[] {
  const chart = new Chart(scope, PROMISES_CHART_ID, { disableResourceNameHashes: true });
  // One Promise per spec the package's pipeline image serves (the functions platform, the AMQP broker), scheduled to
  // the destinations labelled `environment: dev` (the single-cluster Destination the Pulumi program registers).
  return PIPELINE_SPECS.map((spec) => KratixPromise.fromBundle(chart, spec.kind, spec, {
    destinationSelectors: [{ environment: 'dev' }],
  }));
}
