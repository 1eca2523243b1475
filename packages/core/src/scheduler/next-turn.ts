/**
 * Runs `callback` in the next macrotask, after what the current turn enqueues; returns a cancel
 * function. Node: `setImmediate` (no ≥ 1 ms sleep like `setTimeout(0)`). Browsers and workers,
 * which have no `setImmediate`: a `MessageChannel` message, which is not clamped either.
 */
interface BrowserPort {
  onmessage: (() => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

export function nextTurn(callback: () => void): () => void {
  if (typeof setImmediate === 'function') {
    const handle = setImmediate(callback);
    return () => clearImmediate(handle);
  }
  // The browser's MessagePort (Node's types describe worker_threads' port instead).
  const channel = new MessageChannel() as unknown as { port1: BrowserPort; port2: BrowserPort };
  let cancelled = false;
  channel.port1.onmessage = () => {
    channel.port1.close();
    if (!cancelled) callback();
  };
  channel.port2.postMessage(undefined);
  return () => {
    cancelled = true;
    channel.port1.close();
  };
}
