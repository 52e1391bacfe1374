/**
 * Generators of construct props for the property-based tests: mostly valid values (so generation reaches deep into
 * the constructs) mixed with the mistakes people make (bad names, inverted bounds, unknown references).
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { BackoffPolicy, Language, Profile, QueueType, ScalingMetric, StoreBackend, StoreSize } from '../../constructs';

/** Usually a valid value, sometimes one of the mistakes people make (about one case in `odds`). */
function mostly<T>(valid: fc.Arbitrary<T>, mistakes: fc.Arbitrary<T>, odds = 30): fc.Arbitrary<T> {
  return fc.oneof({ weight: odds, arbitrary: valid }, { weight: 1, arbitrary: mistakes });
}

/** A DNS-1035 label, usually valid; sometimes not. */
export const name = mostly(fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/), fc.constantFrom('', 'Bad_Name', '-x', 'x-', '9lives', 'a'.repeat(70), 'ünicode'));

const repository = fc.tuple(fc.constantFrom('ghcr.io/acme', 'docker.io/library', 'registry.example.com:5000/team'), fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/))
  .map(([registry, name]) => `${registry}/${name}`);
const badImages = fc.constantFrom('', 'ghcr.io/Acme/app:1', 'ghcr.io/acme/app:', 'app@sha256:123');
const byDigest = fc.tuple(repository, fc.stringMatching(/^[0-9a-f]{64}$/)).map(([r, h]) => `${r}@sha256:${h}`);

/** An image pinned by tag or digest (what the policy asks of users), sometimes not a valid reference. */
export const image = mostly(fc.oneof(
  { weight: 8, arbitrary: fc.tuple(repository, fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/)).map(([r, t]) => `${r}:${t}`) },
  { weight: 1, arbitrary: byDigest },
), badImages);

/** An image pinned by digest (what a prod namespace asks for), sometimes not a valid reference. */
export const digestImage = mostly(byDigest, badImages);

export const cpu = mostly(fc.integer({ min: 1, max: 4000 }), fc.constantFrom(0, -10)).map((m) => kplus.Cpu.millis(m));

/** Memory request and limit: the request at most the limit, except now and then. */
export const resources = fc.option(fc.tuple(cpu, fc.integer({ min: 16, max: 4096 }), fc.integer({ min: 0, max: 4096 }), mostly(fc.constant(true), fc.constant(false)))
  .map(([c, limit, extra, ordered]) => ({
    cpu: { request: c },
    memory: ordered ? { request: Size.mebibytes(Math.max(1, limit - (extra % limit))), limit: Size.mebibytes(limit) } : { request: Size.mebibytes(limit + 1 + extra), limit: Size.mebibytes(limit) },
  })), { nil: undefined });

export const scale = fc.option(fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 20 }), mostly(fc.constant(true), fc.constant(false)),
  fc.option(fc.constantFrom(ScalingMetric.CONCURRENCY, ScalingMetric.RPS), { nil: undefined }), fc.option(mostly(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0, -5)), { nil: undefined }))
  .map(([min, span, ordered, metric, target]) => ({ min: ordered ? min : min + span + 1, max: min + span, metric, target })), { nil: undefined });

export const language = fc.option(fc.constantFrom(Language.GO, Language.NODEJS, Language.PYTHON, Language.JAVA), { nil: undefined });

/** A function's props, its image from `images`. */
const functionWith = (images: fc.Arbitrary<string>) => fc.record({
  name,
  image: images,
  language,
  scale,
  resources,
  bindStore: fc.option(fc.boolean(), { nil: undefined }),
  timeout: fc.option(mostly(fc.integer({ min: 1, max: 600 }), fc.constantFrom(0, 4000)).map((s) => Duration.seconds(s)), { nil: undefined }),
  containerConcurrency: fc.option(mostly(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(-1, 1001)), { nil: undefined }),
}, { requiredKeys: ['name', 'image'] });

export const fn = functionWith(image);

type FunctionProps = typeof fn extends fc.Arbitrary<infer F> ? F : never;

export const path = mostly(fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9_~-]{0,7}$/), { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`),
  fc.constantFrom('/', 'no-slash', '/trailing/', '/has space', '//double', '/..'));

/** FunctionsPlatform props: routes name existing functions, mostly; prod images by digest, as the policy asks. */
export const functionsPlatform = fc.constantFrom(Profile.DEV, Profile.PROD).chain((profile) => fc.record({
  namespace: name,
  profile: fc.constant(profile),
  store: fc.option(fc.constantFrom(StoreBackend.IN_CLUSTER, StoreBackend.CLAIM), { nil: undefined }),
  functions: mostly(fc.uniqueArray(profile === Profile.PROD ? functionWith(digestImage) : fn, { minLength: 1, maxLength: 4, selector: (f) => f.name }), fc.constant<FunctionProps[]>([])),
  routes: fc.uniqueArray(fc.tuple(path, mostly(fc.nat({ max: 3 }), fc.constant(6)), fc.option(fc.boolean(), { nil: undefined })), { maxLength: 3, selector: (r) => r[0] }),
  storeSize: fc.option(fc.constantFrom(...Object.values(StoreSize)), { nil: undefined }),
  redisStorage: fc.option(mostly(fc.integer({ min: 1, max: 100 }), fc.constant(0)).map((g) => Size.gibibytes(g)), { nil: undefined }),
}));

/** EventDrivenPlatform props with subscriptions and sources. */
export const eventDriven = fc.record({
  namespace: name,
  profile: fc.constantFrom(Profile.DEV, Profile.PROD),
  replicas: fc.option(mostly(fc.constantFrom(1, 3, 5), fc.constantFrom(0, 2, 4)), { nil: undefined }),
  queueType: fc.option(fc.constantFrom(QueueType.QUORUM, QueueType.CLASSIC), { nil: undefined }),
  retry: fc.option(mostly(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-1, 101)), { nil: undefined }),
  brokerName: fc.option(name, { nil: undefined }),
  types: fc.array(mostly(fc.stringMatching(/^[a-z]{2,6}(\.[a-z]{2,6}){1,3}$/), fc.constantFrom('', 'has space')), { minLength: 1, maxLength: 3 }),
  subscriptions: fc.array(fc.record({
    type: fc.nat({ max: 4 }),
    parallelism: fc.option(mostly(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0, 1001)), { nil: undefined }),
    retry: fc.option(mostly(fc.integer({ min: 0, max: 10 }), fc.constant(-1)), { nil: undefined }),
    backoff: fc.option(fc.constantFrom(BackoffPolicy.LINEAR, BackoffPolicy.EXPONENTIAL), { nil: undefined }),
    timeout: fc.option(mostly(fc.integer({ min: 1, max: 120 }), fc.constant(0)).map((s) => Duration.seconds(s)), { nil: undefined }),
  }), { maxLength: 4 }),
  publish: fc.array(fc.nat({ max: 4 }), { maxLength: 3 }),
  schedule: mostly(fc.constantFrom('*/5 * * * *', '@hourly', '0 3 * * 1-5', '15,45 * * * *'), fc.constantFrom('* * *', '60 * * * *', '@every 1m', '0 0 * * 7'), 10),
});
