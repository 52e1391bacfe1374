/**
 * Ports of the queue-proxy sidecar the data plane talks to: 8012 (HTTP/1), 8013 (h2c), 8112 (HTTPS with
 * system-internal TLS), 9090 (autoscaler metrics), 9091 (user metrics). The user container port is reached only
 * through queue-proxy, from inside the pod.
 */
export const QUEUE_PROXY_PORTS = [8012, 8013, 8112, 9090, 9091];

/**
 * Container ports a function cannot listen on: Knative's webhook refuses 8008 (profiling), 8012, 8013, 8022, 9090
 * and 9091 (knative/serving v1.22.1 pkg/apis/serving/k8s_validation.go, `reservedPorts`); 8112 is queue-proxy's
 * HTTPS port (pkg/networking constants), which the webhook lets through but the pod cannot bind twice.
 */
export const RESERVED_PORTS = [8008, 8012, 8013, 8022, 8112, 9090, 9091];
