/**
 * Ports of the queue-proxy sidecar the data plane talks to: 8012 (HTTP/1), 8013 (h2c), 8112 (HTTPS with
 * system-internal TLS), 9090 (autoscaler metrics), 9091 (user metrics). The user container port is reached only
 * through queue-proxy, from inside the pod.
 */
export const QUEUE_PROXY_PORTS = [8012, 8013, 8112, 9090, 9091];

/** Container ports Knative reserves for queue-proxy; a function cannot listen on them. */
export const RESERVED_PORTS = [8008, 8012, 8013, 8022, 8112, 9090, 9091];
