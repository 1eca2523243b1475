import { nextTurn } from '../scheduler/next-turn.js';

/**
 * One `abort` listener per signal, shared by every call that waits on it. Callers often share a
 * signal across many requests (one per HTTP request or batch job); a listener per call would pass
 * the EventTarget's limit of 10 and print `MaxListenersExceededWarning`, and raising that limit
 * globally would hide real leaks. The listener is removed when its last subscriber leaves.
 */
const subscribers = new WeakMap<AbortSignal, { readonly callbacks: Set<() => void>; readonly listener: () => void }>();

/** Calls `callback` once when `signal` aborts (soon, if it already has); returns the function that unsubscribes it. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) {
    let subscribed = true;
    queueMicrotask(() => {
      if (subscribed) callback();
    });
    return () => {
      subscribed = false;
    };
  }
  let entry = subscribers.get(signal);
  if (entry === undefined) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      subscribers.delete(signal);
      for (const subscribed of [...callbacks]) subscribed();
      callbacks.clear();
    };
    entry = { callbacks, listener };
    subscribers.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  // A Set keeps one entry per function, so each subscription gets its own wrapper.
  const subscription = () => callback();
  entry.callbacks.add(subscription);
  const current = entry;
  return () => {
    if (!current.callbacks.delete(subscription) || current.callbacks.size > 0) return;
    // Removed on the next turn, not at once: a caller that leaves and subscribes again in the same
    // run of promise steps (a request that waited for its endpoint's load, then waits for its
    // result) keeps the one listener instead of removing and adding it.
    nextTurn(() => {
      if (current.callbacks.size > 0) return;
      if (subscribers.get(signal) === current) subscribers.delete(signal);
      signal.removeEventListener('abort', current.listener);
    });
  };
}
