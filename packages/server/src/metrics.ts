import type { Accel, Provenance } from '@accel/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One server's Prometheus registry: HTTP traffic, what accel's provenance reports, and the process. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Counts one answered HTTP request. */
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  /** Records one inference that returned, from its provenance. */
  observeInference(provenance: Provenance): void;
  /** Counts one inference that failed, by endpoint and error code. */
  observeFailure(endpoint: string, code: string): void;
}

const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A fresh registry per server, so two servers in one process never share or clash on metrics. */
export function createServerMetrics(accel: Accel): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'accel_http_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: 'accel_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to its answer, by route.',
    labelNames: ['route'],
    buckets: durationBuckets,
    registers: [registry],
  });
  const queueDuration = new Histogram({
    name: 'accel_queue_duration_seconds',
    help: 'Time inference requests waited in an endpoint queue (provenance timings.queuedMs).',
    labelNames: ['endpoint'],
    buckets: durationBuckets,
    registers: [registry],
  });
  const inferenceDuration = new Histogram({
    name: 'accel_inference_duration_seconds',
    help: "Time inside the skill's run for a request's batches (provenance timings.inferenceMs).",
    labelNames: ['endpoint'],
    buckets: durationBuckets,
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'accel_batch_size',
    help: 'Size of the batches inference requests ran in.',
    labelNames: ['endpoint'],
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  const deduplicated = new Counter({
    name: 'accel_deduplicated_total',
    help: 'Inference requests merged with an identical one already in flight.',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'accel_request_failures_total',
    help: 'Inference requests that failed, by endpoint and error code.',
    labelNames: ['endpoint', 'code'],
    registers: [registry],
  });
  new Gauge({
    name: 'accel_queue_depth',
    help: 'Requests waiting in each endpoint queue.',
    labelNames: ['endpoint'],
    registers: [registry],
    collect() {
      this.reset();
      for (const endpoint of accel.status()) this.set({ endpoint: endpoint.id }, endpoint.queue.pending);
    },
  });
  new Gauge({
    name: 'accel_endpoint_ready',
    help: '1 when an endpoint is loaded and serving, else 0.',
    labelNames: ['endpoint', 'device'],
    registers: [registry],
    collect() {
      this.reset();
      for (const endpoint of accel.status()) this.set({ endpoint: endpoint.id, device: endpoint.device }, endpoint.state === 'ready' ? 1 : 0);
    },
  });
  return {
    registry,
    observeHttp(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      requestDuration.observe({ route }, seconds);
    },
    observeInference(provenance) {
      const labels = { endpoint: provenance.endpoint };
      queueDuration.observe(labels, provenance.timings.queuedMs / 1000);
      inferenceDuration.observe(labels, provenance.timings.inferenceMs / 1000);
      for (const size of provenance.batchSizes) batchSize.observe(labels, size);
      if (provenance.deduplicated === true) deduplicated.inc(labels);
    },
    observeFailure(endpoint, code) {
      failures.inc({ endpoint, code });
    },
  };
}
