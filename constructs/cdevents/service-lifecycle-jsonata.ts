/**
 * The JSONata expression of ServiceLifecycleEvents: an ApiServerSource event (Resource mode) about a Knative Service
 * → a CDEvents service event, as a structured CloudEvent whose data is the CDEvent.
 *
 * Input (what the transform image passes): the CloudEvent in structured form — `type`
 * `dev.knative.apiserver.resource.{add,update,delete}`, `source` the API server URL, `subject` the Service's path
 * (`/apis/serving.knative.dev/v1/namespaces/<ns>/services/<name>`), `time`, extensions `kind`, `apiversion`, `name`,
 * `namespace`, and `data` the whole Service object (knative/eventing pkg/adapter/apiserver/events/events.go).
 *
 * Decision, from the object alone (no state is kept anywhere):
 *   delete                                                   → service.removed,  id `<uid>/removed`
 *   settled (Ready=True, latestReady == latestCreated,
 *            status.observedGeneration == metadata.generation)
 *     and metadata.generation == 1                           → service.deployed, id `<uid>/<latestReadyRevisionName>`
 *     and metadata.generation > 1                            → service.upgraded, id `<uid>/<latestReadyRevisionName>`
 *   anything else (not ready yet, rolling out, a status write → the `unsettled` type, which no subscription should select
 *   of an older generation)
 * Every status write of a settled Service repeats its event with the same id (CloudEvents: same source and id = the
 * same event), so consumers can deduplicate. A rollback made by editing the spec back is an upgrade by this rule.
 *
 * Output attributes promoted for Trigger filters and TriggerBindings (CloudEvents extension names: lowercase letters
 * and digits): `revision`, `ksvcurl`, `ksvcname`, `ksvcnamespace`.
 */

/** The types the expression decides between. */
export interface ServiceLifecycleTypes {
  readonly deployed: string;
  readonly upgraded: string;
  readonly removed: string;
  readonly unsettled: string;
  readonly deleteType: string;
}

/** The CloudEvents extension attributes the expression sets (lowercase alphanumeric, at most 20 characters). */
export const SERVICE_LIFECYCLE_EXTENSIONS = ['revision', 'ksvcurl', 'ksvcname', 'ksvcnamespace'];

const str = (s: string): string => JSON.stringify(s);

/** The expression, for these types. */
export function serviceLifecycleExpression(t: ServiceLifecycleTypes): string {
  return `(
  $svc := data;
  $meta := $svc.metadata;
  $status := $svc.status;
  $ready := $count($status.conditions[type = "Ready" and status = "True"]) > 0;
  $settled := $ready
    and $exists($status.latestReadyRevisionName)
    and $status.latestReadyRevisionName = $status.latestCreatedRevisionName
    and $status.observedGeneration = $meta.generation;
  $deleted := type = ${str(t.deleteType)};
  $cdtype := $deleted ? ${str(t.removed)}
    : $settled and $meta.generation = 1 ? ${str(t.deployed)}
    : $settled ? ${str(t.upgraded)}
    : ${str(t.unsettled)};
  $time := $exists(time) ? time : $now();
  $path := "/apis/serving.knative.dev/v1/namespaces/" & $meta.namespace & "/services/" & $meta.name;
  $id := $deleted ? $meta.uid & "/removed"
    : $cdtype = ${str(t.unsettled)} ? id
    : $meta.uid & "/" & $status.latestReadyRevisionName;
  $environment := { "id": $meta.namespace, "source": source };
  $content := $deleted ? { "environment": $environment }
    : { "environment": $environment, "artifactId": $svc.spec.template.spec.containers[0].image };
  $common := {
    "specversion": "1.0",
    "id": $id,
    "type": $cdtype,
    "source": $path,
    "subject": $meta.namespace & "/" & $meta.name,
    "time": $time,
    "datacontenttype": "application/json",
    "ksvcname": $meta.name,
    "ksvcnamespace": $meta.namespace
  };
  $cdtype = ${str(t.unsettled)}
    ? $merge([$common, {
        "data": {
          "generation": $meta.generation,
          "observedGeneration": $status.observedGeneration,
          "ready": $ready,
          "latestCreatedRevisionName": $status.latestCreatedRevisionName,
          "latestReadyRevisionName": $status.latestReadyRevisionName
        }
      }])
    : $merge([$common, {
        "revision": $status.latestReadyRevisionName,
        "ksvcurl": $status.url,
        "data": {
          "context": {
            "specversion": "0.5.1",
            "id": $id,
            "source": $path,
            "type": $cdtype,
            "timestamp": $time
          },
          "subject": {
            "id": $meta.namespace & "/" & $meta.name,
            "source": $path,
            "content": $content
          },
          "customData": {
            "url": $status.url,
            "revision": $status.latestReadyRevisionName,
            "generation": $meta.generation,
            "image": $svc.spec.template.spec.containers[0].image
          }
        }
      }])
)`;
}
