import type { OpenVinoInferRequest } from './openvino-api.js';

/**
 * Infer requests of one compiled model. Each run takes a request of its own (an OpenVINO infer
 * request runs one inference at a time); up to `retain` idle requests are kept for reuse.
 */
export class InferRequestPool {
  private readonly idle: OpenVinoInferRequest[] = [];
  private closed = false;

  constructor(
    private readonly create: () => OpenVinoInferRequest,
    private readonly retain: number,
    seed?: OpenVinoInferRequest,
  ) {
    if (seed !== undefined) this.idle.push(seed);
  }

  acquire(): OpenVinoInferRequest {
    return this.idle.pop() ?? this.create();
  }

  /** Returns a request after its run; a request whose run failed is dropped rather than reused. */
  giveBack(request: OpenVinoInferRequest, reusable: boolean): void {
    if (reusable && !this.closed && this.idle.length < this.retain) this.idle.push(request);
  }

  close(): void {
    this.closed = true;
    this.idle.length = 0;
  }
}
