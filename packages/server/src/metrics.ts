import type { Accel, EndpointStatus, Provenance } from '@accel/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One server's Prometheus registry: HTTP traffic, what accel's provenance reports, and the process. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Counts one answered HTTP request. */
  observeHttp(route: string, method: string, status: number, seconds: number): void;
  /** Records one inference that returned, from its provenance. */
  observeInference(provenance: Provenance): void;
  /** Counts one inference that failed, by endpoint and error code (a full queue also counts as a rejection). */
  observeFailure(endpoint: string, code: string): void;
  /** Records the time from receiving a streamed request to its first generated piece. */
  observeFirstToken(endpoint: string, seconds: number): void;
}

const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * A fresh registry per server, so two servers in one process never share or clash on metrics. The
 * gauges cover `accel`'s endpoints and the remote ones `remote` reports (as their status says).
 */
export function createServerMetrics(accel: Accel, remote: () => readonly EndpointStatus[] = () => []): ServerMetrics {
  const statuses = (): EndpointStatus[] => [...accel.status(), ...remote()];
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
  const rejections = new Counter({
    name: 'accel_queue_rejections_total',
    help: 'Inference requests refused because the endpoint queue was full (answered 429).',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const firstToken = new Histogram({
    name: 'accel_time_to_first_token_seconds',
    help: 'Time from receiving a streamed request to sending its first generated piece.',
    labelNames: ['endpoint'],
    buckets: durationBuckets,
    registers: [registry],
  });
  const inputTokens = new Counter({
    name: 'accel_prompt_tokens_total',
    help: 'Prompt and input tokens read, from provenance usage.',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const outputTokens = new Counter({
    name: 'accel_generated_tokens_total',
    help: 'Tokens generated, from provenance usage.',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: 'accel_fallbacks_total',
    help: 'Moves down a fallback chain that a served request went through, by the device left, the one tried and the error code.',
    labelNames: ['from', 'to', 'code'],
    registers: [registry],
  });
  new Gauge({
    name: 'accel_requests_running',
    help: 'Batches running on each endpoint now.',
    labelNames: ['endpoint'],
    registers: [registry],
    collect() {
      this.reset();
      for (const endpoint of statuses()) this.set({ endpoint: endpoint.id }, endpoint.queue.busy ? 1 : 0);
    },
  });
  new Gauge({
    name: 'accel_queue_depth',
    help: 'Requests waiting in each endpoint queue.',
    labelNames: ['endpoint'],
    registers: [registry],
    collect() {
      this.reset();
      for (const endpoint of statuses()) this.set({ endpoint: endpoint.id }, endpoint.queue.pending);
    },
  });
  new Gauge({
    name: 'accel_endpoint_ready',
    help: '1 when an endpoint is loaded and serving, else 0.',
    labelNames: ['endpoint', 'device'],
    registers: [registry],
    collect() {
      this.reset();
      for (const endpoint of statuses()) this.set({ endpoint: endpoint.id, device: endpoint.device }, endpoint.state === 'ready' ? 1 : 0);
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
      if (provenance.usage !== undefined) {
        inputTokens.inc(labels, provenance.usage.inputTokens);
        outputTokens.inc(labels, provenance.usage.outputTokens);
      }
      for (const step of provenance.fallbacks) fallbacks.inc({ from: step.from, to: step.to, code: step.code ?? 'unknown' });
    },
    observeFailure(endpoint, code) {
      failures.inc({ endpoint, code });
      if (code === 'ACCEL_QUEUE_FULL') rejections.inc({ endpoint });
    },
    observeFirstToken(endpoint, seconds) {
      firstToken.observe({ endpoint }, seconds);
    },
  };
}
