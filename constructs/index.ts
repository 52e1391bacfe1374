/**
 * platform-blueprints: typed cdk8s constructs for an event-driven functions platform on Kubernetes.
 *
 * Layers: bundles (L3) → constructs per concept (L2) → generated L1 classes (imports, re-exported as namespaces).
 * The public surface is classes, interfaces and enums only (jsii-friendly); helpers stay internal.
 */
// core
export { ValidationError } from './core/errors';
export { PlatformContext } from './core/context';
export { DeployHints } from './core/deploy-hints';
export type { EventDestination, IEventSink } from './core/events';
export * from './core/graph';
export { IngressPolicy } from './core/network';
export type { IngressPolicyProps, PodPeer } from './core/network';
export * from './core/secrets';
export type { ContainerSecurityOptions } from './core/security';
export * from './core/store';
export type { IWorkload, IHttpWorkload, ResourceRef } from './core/workload';
// L2
export * from './knative/types';
export * from './knative/probe';
export type { ScaleOptions } from './knative/autoscaling';
export * from './knative/function';
export * from './redis/redis';
export * from './gateway/api-gateway';
export * from './gateway/frontend';
export { RabbitmqCluster } from './rabbitmq/cluster';
export type { RabbitmqClusterProps, RabbitmqTlsOptions } from './rabbitmq/cluster';
export * from './rabbitmq/topology';
export { CloudEventType } from './eventing/event-type';
export type { CloudEventTypeOptions } from './eventing/event-type';
export { EventFilter } from './eventing/filter';
export { BackoffPolicy } from './eventing/delivery';
export type { DeliveryOptions } from './eventing/delivery';
export { EventCatalog } from './eventing/catalog';
export type { EventProducer, EventConsumer } from './eventing/catalog';
export * from './eventing/broker';
export * from './eventing/trigger';
export * from './eventing/sink-binding';
export * from './eventing/sources';
// Crossplane platform APIs
export * from './crossplane/schema';
export { CrossplaneMode, PlatformApi } from './crossplane/api';
export type { PlatformApiProps } from './crossplane/api';
export * from './crossplane/composition';
export { InClusterTemplate } from './crossplane/in-cluster';
export type {
  IObjectsBuilder, IObjectOptionsProvider, InClusterVariant, GeneratedValue, ObjectOptions, ObjectConnectionDetail, ObjectConnectionSecret,
  InClusterTemplateProps, TemplateValues,
} from './crossplane/in-cluster';
export { Claim, ClaimedService } from './crossplane/claim';
export type { ClaimOptions, ClaimProps, BindingEnv } from './crossplane/claim';
export * from './crossplane/packages';
export * from './crossplane/key-value-store';
export * from './crossplane/message-broker';
// Policy
export { PlatformPolicy, PolicyRuleId } from './policy/policy';
export type { PolicyOptions, PolicyViolation } from './policy/policy';
export { PolicyValidation } from './policy/plugin';
export type { IValidationContext, IValidationReport } from './policy/plugin';
// L3
export { Profile, StoreBackend } from './bundles/profile';
export * from './bundles/functions-platform';
export * from './bundles/event-driven-platform';
export * from './bundles/platform-apis';
export * from './bundles/team-space';
export * from './bundles/platform-docs';
// L1 (generated from the pinned upstream CRDs)
export * as serving from './imports/serving.knative.dev';
export * as eventing from './imports/eventing.knative.dev';
export * as sources from './imports/sources.knative.dev';
export * as messaging from './imports/messaging.knative.dev';
export * as flows from './imports/flows.knative.dev';
export * as sinks from './imports/sinks.knative.dev';
export * as rabbitmq from './imports/rabbitmq.com';
export * as crossplane from './imports/apiextensions.crossplane.io';
export * as crossplanePkg from './imports/pkg.crossplane.io';
export * as crossplaneProtection from './imports/protection.crossplane.io';
export * as crossplaneKubernetes from './imports/kubernetes.crossplane.io';
export * as crossplaneKubernetesNamespaced from './imports/kubernetes.m.crossplane.io';
export * as crossplaneHelm from './imports/helm.crossplane.io';
export * as crossplaneHelmNamespaced from './imports/helm.m.crossplane.io';
