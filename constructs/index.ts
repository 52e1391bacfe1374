/**
 * platform-blueprints: typed cdk8s constructs for an event-driven functions platform on Kubernetes.
 *
 * Layers: bundles (L3) → constructs per concept (L2) → generated L1 classes (imports, re-exported as namespaces).
 * Underneath: the contracts (what can be wired), the one wiring mechanism, the app-level model and its views, and
 * the deployment plan every entry point reads.
 * The public surface is classes, interfaces and enums only (jsii-friendly); helpers stay internal.
 */
// core: the contracts
export { Admission } from './core/contracts';
export type {
  AdmitOptions, AmqpBindOptions, EventDestination, IAdmitsPeers, IAmqpBroker, IBroker, IEventSink, IEventSource, IEventSubscription, IFunction,
  IHttpEndpoint, IHttpWorkload, IKeyValueStore, INamespacedResource, IRabbitmqCluster, IWorkload, IWorkloadRef, ObjectRef, PodPeer,
  PublishOptions, ResourceRef, StoreBindOptions, SubscriptionOptions,
} from './core/contracts';
// core: the event vocabulary
export { CloudEventType } from './core/event-type';
export type { CloudEventTypeOptions } from './core/event-type';
export { EventFilter } from './core/event-filter';
export { BackoffPolicy } from './core/delivery';
export type { DeliveryOptions } from './core/delivery';
// core: wiring, the model's views, the plan
export { EdgeKind, RepeatPolicy, Wiring } from './core/wiring';
export type {
  AdmissionSpec, ConnectionSpec, EnvironmentSpec, EventFlow, GraphEdge, InjectionSpec, OrderSpec, WiringEdge,
} from './core/wiring';
export { PlatformGraph } from './core/graph';
export { DeploymentPlan } from './core/plan';
export type { ExternalReference, PlannedObject } from './core/plan';
export { ClusterInstall } from './core/installs';
export type { PinnedRelease } from './imports/versions';
export { DeployHints } from './core/deploy-hints';
export type { ImpliedObject } from './core/deploy-hints';
// core: the resource base and shared pieces
export { NameFormat, NamespacedResource, WorkloadResource } from './core/resource';
export type { ResourceNaming, ResourceProps } from './core/resource';
export { ValidationError } from './core/errors';
export { PlatformContext } from './core/context';
export { IngressPolicy } from './core/network';
export type { IngressPolicyProps } from './core/network';
export { DeployTimeSecret, PasswordSource } from './core/secrets';
export type { DeployTimeSecretProps, GeneratedPasswordOptions, SecretKeyReference } from './core/secrets';
export type { ContainerSecurityOptions } from './core/security';
// L2: functions, stores, gateways
export * from './knative/types';
export * from './knative/probe';
export type { ScaleOptions } from './knative/autoscaling';
export { KnativeFunction, KnativeServiceBase } from './knative/function';
export type { FunctionAttributes, KnativeFunctionOptions, KnativeFunctionProps } from './knative/function';
export { AppendFsync, MaxMemoryPolicy, REDIS_IMAGE, Redis } from './redis/redis';
export type { RedisAttributes, RedisOptions, RedisProps, RedisSecurityOptions } from './redis/redis';
export { ApiGateway } from './gateway/api-gateway';
export type { ApiGatewayProps, GatewayRoute, IPublicEntrypoint, RouteOptions } from './gateway/api-gateway';
export { AuthMode } from './gateway/auth';
export type { ClaimHeader, JwtAuthOptions } from './gateway/auth';
export type { CorsOptions } from './gateway/cors';
export type { RateLimit } from './gateway/rate-limit';
export { Frontend } from './gateway/frontend';
export type { ConnectOptions, FrontendProps } from './gateway/frontend';
export { CertificateIssuer, PublicDomain } from './gateway/domain';
export type { GatewayDomainDirectives, PublicDomainOptions, PublicDomainProps, StrictTransportSecurity } from './gateway/domain';
export { GATEWAY_IMAGE } from './gateway/defaults';
// L2: RabbitMQ
export { RabbitmqCluster } from './rabbitmq/cluster';
export type { RabbitmqClusterAttributes, RabbitmqClusterProps, RabbitmqClusterReference, RabbitmqTlsOptions } from './rabbitmq/cluster';
export * from './rabbitmq/topology';
// L2: eventing
export { BrokerClass } from './eventing/broker-class';
export { Broker, BrokerBase, ChannelBroker, QueueType, RabbitmqBroker } from './eventing/broker';
export type { BrokerAttributes, BrokerOptions, RabbitmqBrokerProps } from './eventing/broker';
export { Trigger } from './eventing/trigger';
export type { TriggerOptions, TriggerProps } from './eventing/trigger';
export { TeamBroker } from './eventing/team-broker';
export type { TeamBrokerProps } from './eventing/team-broker';
export { SinkBinding } from './eventing/sink-binding';
export type { SinkBindingProps } from './eventing/sink-binding';
export * from './eventing/sources';
export { EventCatalog } from './eventing/catalog';
export type { EventConsumer, EventProducer } from './eventing/catalog';
export type { IReplyingSink } from './core/contracts';
// Tekton: pipelines started by events
export type { ITektonPipeline, PipelineRunTemplateOptions } from './tekton/contracts';
export { EventTriggeredPipeline, EventValue } from './tekton/event-pipeline';
export type { CelOverlay, EventTriggeredPipelineProps } from './tekton/event-pipeline';
// L2: Tekton tasks, pipelines and the k6 load test
export { StepOnError, TektonParamType, TektonResultType, TektonTask } from './tekton/task';
export type { TektonParam, TektonResult, TektonStep, TektonTaskProps, TektonWorkspace } from './tekton/task';
export { TektonPipeline } from './tekton/pipeline';
export type { TektonPipelineProps, TektonPipelineResult, TektonPipelineTask, TektonPipelineWorkspace } from './tekton/pipeline';
export { K6LoadTest } from './tekton/load-test';
export type { K6LoadTestProps } from './tekton/load-test';
// CDEvents: the vocabulary (generated from the pinned v0.5.1 schemas)
export * from './cdevents/vocabulary';
export { EventTransform, TransformReply } from './eventing/transform';
export type { EventTransformProps } from './eventing/transform';
export { ServiceLifecycleEvents } from './cdevents/service-lifecycle';
export type { ServiceLifecycleEventsProps } from './cdevents/service-lifecycle';
export { TektonEvents, TektonRunResults } from './cdevents/tekton-results';
export type { TektonRunResultsProps } from './cdevents/tekton-results';
export { TektonEventsSink } from './cdevents/tekton-events-sink';
export type { TektonEventsSinkProps } from './cdevents/tekton-events-sink';
// Crossplane platform APIs
export * from './crossplane/schema';
export { CrossplaneMode, PlatformApi } from './crossplane/api';
export type { PlatformApiProps } from './crossplane/api';
export * from './crossplane/composition';
export { InClusterTemplate } from './crossplane/in-cluster';
export type {
  CompositeConnection, IObjectsBuilder, IObjectOptionsProvider, InClusterVariant, GeneratedValue, ObjectOptions, ObjectConnectionDetail, ObjectConnectionSecret,
  InClusterTemplateProps, TemplateValues,
} from './crossplane/in-cluster';
export { Claim, ClaimedService } from './crossplane/claim';
export type { BindingEnv, ClaimAttributes, ClaimOptions, ClaimProps } from './crossplane/claim';
export * from './crossplane/packages';
export * from './crossplane/key-value-store';
export * from './crossplane/message-broker';
// Kratix Promises
export type { BundleBuildResult, BundleRequest, IBundlePrerequisites, IBundleSpec } from './kratix/bundle-spec';
export { PACKAGE_VERSION, PIPELINE_IMAGE, PIPELINE_IMAGE_REPOSITORY } from './kratix/image';
export { KRATIX_API_VERSION, KratixPipeline, KratixWorkflowAction, KratixWorkflowType, NODE_PIPELINE_MIN_MEMORY } from './kratix/pipeline';
export type { KratixContainerProps, KratixPermission, KratixPipelineProps } from './kratix/pipeline';
export { KratixPromise, PROMISE_VERSION_LABEL } from './kratix/promise';
export type {
  KratixBundlePromiseOptions, KratixPromiseApiProps, KratixPromiseProps, KratixRequiredPromise, KratixWorkflowProps, KratixWorkflowsProps,
} from './kratix/promise';
// Policy
export { PlatformPolicy, PolicyRuleId } from './policy/policy';
export type { PolicyOptions, PolicyRuleInfo, PolicyViolation } from './policy/policy';
export { PolicyValidation } from './policy/plugin';
export type { IValidationContext, IValidationReport } from './policy/plugin';
// Kratix: the workflow container contract (the pipeline entry is the package's `platform-blueprints` bin)
export { KRATIX_DEFAULT_DIR, KratixSdk } from './kratix/sdk';
export type { KratixDestinationSelector, KratixObjectRef, KratixSdkOptions } from './kratix/sdk';
// L3
export { PlatformProfile, Profile, StoreBackend } from './bundles/profile';
export type { ProfileDefaults } from './bundles/profile';
export { DEFAULT_IMAGES, EVENT_DISPLAY_IMAGE } from './bundles/default-images';
export { PodSecurityLevel } from './bundles/namespace';
export * from './bundles/functions-platform';
export * from './bundles/event-driven-platform';
export * from './bundles/platform-apis';
export * from './bundles/team-space';
export * from './bundles/continuous-verification';
export * from './bundles/platform-docs';
// Kratix: the bundles offered as self-service APIs (IBundleSpec)
export * from './kratix/specs/functions-platform';
export * from './kratix/specs/message-broker';
// L1 (generated from the pinned upstream CRDs)
export * as serving from './imports/serving.knative.dev';
export * as eventing from './imports/eventing.knative.dev';
export * as sources from './imports/sources.knative.dev';
export * as messaging from './imports/messaging.knative.dev';
export * as flows from './imports/flows.knative.dev';
export * as sinks from './imports/sinks.knative.dev';
export * as networkingInternal from './imports/networking.internal.knative.dev';
export * as rabbitmq from './imports/rabbitmq.com';
export * as crossplane from './imports/apiextensions.crossplane.io';
export * as crossplanePkg from './imports/pkg.crossplane.io';
export * as crossplaneProtection from './imports/protection.crossplane.io';
export * as crossplaneKubernetes from './imports/kubernetes.crossplane.io';
export * as crossplaneKubernetesNamespaced from './imports/kubernetes.m.crossplane.io';
export * as crossplaneHelm from './imports/helm.crossplane.io';
export * as crossplaneHelmNamespaced from './imports/helm.m.crossplane.io';
export * as kratix from './imports/platform.kratix.io';
// L1 hand-typed from the Go types (the upstream CRDs carry no schema)
export * as tektonTriggers from './imports/triggers.tekton.dev';
export * as tekton from './imports/tekton.dev';
export * as tektonResolution from './imports/resolution.tekton.dev';
