/**
 * The resource base: name, namespace, in-cluster host names, labels and network-peer methods, derived once for every
 * construct that stands for a named object in a namespace (functions, stores, brokers, clusters, sources) and for the
 * objects imported from elsewhere (`fromXxx`).
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterDomain, resolveNamespace } from './context';
import type { INamespacedResource, PodPeer } from './contracts';
import { invalid } from './errors';
import { NameRule } from './k8s-rules';
import { recommendedLabels } from './labels';
import { PlatformModel } from './model';
import { requireName } from './validate';

/** The Kubernetes name rule a resource's name follows. */
export enum NameFormat {
  /** At most 63 lowercase letters, digits or `-`, starting and ending alphanumeric (Namespaces, most names). */
  DNS1123_LABEL = 'dns1123-label',
  /** Like a label, starting with a letter (Services, Knative Services: they become host names). */
  DNS1035_LABEL = 'dns1035-label',
  /** Dot-separated labels, at most 253 characters (most other kinds). */
  DNS1123_SUBDOMAIN = 'dns1123-subdomain',
}

/** How a resource's name is checked. */
export interface ResourceNaming {
  /** @default NameFormat.DNS1123_LABEL */
  readonly format?: NameFormat;
  /** Longest name, when controllers derive longer names from it. @default - the format's own limit */
  readonly maxLength?: number;
  /** Why the name is limited (shown in the error). @default - none */
  readonly maxLengthReason?: string;
}

/** Name and namespace of a resource. */
export interface ResourceProps {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
}

/** A named object in a namespace (see the module comment). */
export abstract class NamespacedResource extends Construct implements INamespacedResource {
  public readonly name: string;
  public readonly namespace: string;

  protected constructor(scope: Construct, id: string, props: ResourceProps, naming: ResourceNaming = {}) {
    super(scope, id);
    if (props !== undefined && (props === null || typeof props !== 'object')) invalid(this, 'props', props, 'must be an object', 'pass the construct\'s props');
    this.name = requireName(this, 'name', props?.name ?? id, (naming.format ?? NameFormat.DNS1123_LABEL) as string as NameRule);
    if (naming.maxLength !== undefined && this.name.length > naming.maxLength) {
      invalid(this, 'name', this.name, `must be at most ${naming.maxLength} characters`, naming.maxLengthReason);
    }
    this.namespace = resolveNamespace(this, props?.namespace);
    // The app's model: one per app, checking at synth that no two objects take one name.
    PlatformModel.of(this);
  }

  /** Fully qualified in-cluster host name of a Service in this resource's namespace: `<service>.<namespace>.svc.<domain>`. */
  public serviceHost(service?: string): string {
    return `${service ?? this.name}.${this.namespace}.svc.${clusterDomain(this)}`;
  }

  /** The Kubernetes recommended labels of this resource's objects. */
  protected recommendedLabels(appName: string, component: string): { [key: string]: string } {
    return recommendedLabels({ name: appName, instance: this.name, component });
  }
}

/**
 * A resource whose pods can be selected: a cdk8s-plus network policy peer and pod selector, and a `PodPeer` for
 * `admit` calls.
 */
export abstract class WorkloadResource extends NamespacedResource implements kplus.INetworkPolicyPeer, kplus.IPodSelector {
  /** Labels that select exactly this resource's pods. */
  public abstract readonly podSelector: { [key: string]: string };

  protected constructor(scope: Construct, id: string, props: ResourceProps, naming: ResourceNaming = {}) {
    super(scope, id, props, naming);
  }

  /** These pods, as a peer a policy can let in. */
  public get peer(): PodPeer {
    return { namespace: this.namespace, podSelector: this.podSelector, description: `${this.namespace}/${this.name}` };
  }

  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return { labelSelector: kplus.LabelSelector.of({ labels: this.podSelector }), namespaces: { names: [this.namespace] } };
  }

  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  public toPodSelector(): kplus.IPodSelector | undefined {
    return this;
  }
}
