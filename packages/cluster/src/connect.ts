import { BackendUnavailableError, InvalidInputError } from '@accel/core';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface ConnectBrokerOptions {
  /** The connection's name, shown by the broker's monitoring (e.g. `accel worker host:pid`). */
  readonly name?: string;
  /** How long the first connect may take before it fails. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Delay between reconnect attempts once connected. Default 1000 ms. */
  readonly reconnectWaitMs?: number;
  /** Receives one line per connection event (disconnected, reconnected, server error), for a log. */
  readonly onStatus?: (line: string) => void;
}

/**
 * Connects to the NATS broker(s) `servers` (a URL such as `nats://host:4222`, several separated by
 * commas, or a list) for a long-running process: the first connect fails fast with a typed
 * `BackendUnavailableError` naming the broker (a typo should not hang), and once connected the
 * connection reconnects forever (`maxReconnectAttempts: -1`), so a broker restart or a network cut
 * never ends a worker or a gateway; requests during the cut fail with typed errors or time out.
 */
export async function connectToBroker(servers: string | readonly string[], options: ConnectBrokerOptions = {}): Promise<NatsConnection> {
  const list = (typeof servers === 'string' ? servers.split(',') : [...servers]).map((server) => server.trim()).filter((server) => server !== '');
  if (list.length === 0) throw new InvalidInputError({ reason: 'no NATS server URL given (e.g. nats://127.0.0.1:4222)' });
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: list,
      ...(options.name === undefined ? {} : { name: options.name }),
      timeout: options.timeoutMs ?? 5000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs ?? 1000,
      waitOnFirstConnect: false,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackendUnavailableError({
      backend: 'nats',
      reason: `cannot connect to the NATS server at ${list.join(', ')}: ${reason}`,
      fix: 'start nats-server with JetStream (nats-server -js) or pass the right --nats URL',
      cause: error,
    });
  }
  const { onStatus } = options;
  if (onStatus !== undefined) {
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === 'disconnect') onStatus(`disconnected from ${status.server}; reconnecting`);
        else if (status.type === 'reconnect') onStatus(`reconnected to ${status.server}`);
        else if (status.type === 'error') onStatus(`NATS error: ${status.error.message}`);
      }
    })();
  }
  return connection;
}
