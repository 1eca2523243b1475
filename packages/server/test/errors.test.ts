import {
  AbortedError,
  BackendUnavailableError,
  EndpointNotFoundError,
  InferenceError,
  InvalidInputError,
  InvalidModelError,
  ModelIntegrityError,
  ModelNotFoundError,
  QueueFullError,
  TimeoutError,
  UnsupportedError,
} from '@accel/core';
import { describe, expect, it } from 'vitest';
import { bindWarnings, errorReply, paramOf } from '../src/index.js';

describe('errorReply', () => {
  it('maps accel’s typed errors to the statuses, types, codes and retry headers of the research’s table', () => {
    const cases: Array<[Error, number, string, string, Record<string, string>]> = [
      [new InvalidInputError({ reason: 'options.pooling: Invalid option' }), 400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', {}],
      [new UnsupportedError({ feature: 'dtype fp16 on cpu' }), 400, 'invalid_request_error', 'unsupported_parameter', {}],
      [new EndpointNotFoundError({ endpoint: 'nope' }), 404, 'invalid_request_error', 'model_not_found', {}],
      [new QueueFullError({ endpoint: 'minilm', capacity: 4 }), 429, 'rate_limit_error', 'ACCEL_QUEUE_FULL', { 'retry-after': '1' }],
      [new TimeoutError({ timeoutMs: 10 }), 504, 'timeout_error', 'ACCEL_TIMEOUT', { 'x-should-retry': 'false' }],
      [new AbortedError({ reason: 'the registry is draining' }), 503, 'server_error', 'ACCEL_ABORTED', { 'retry-after': '1' }],
      [new BackendUnavailableError({ backend: 'cuda', reason: 'no driver' }), 503, 'server_error', 'ACCEL_BACKEND_UNAVAILABLE', { 'retry-after': '1' }],
      [new ModelNotFoundError({ model: 'a/b', searched: ['/x'], hint: 'pull it' }), 500, 'server_error', 'ACCEL_MODEL_NOT_FOUND', {}],
      [new InvalidModelError({ model: 'a/b', file: 'config.json', reason: 'bad' }), 500, 'server_error', 'ACCEL_INVALID_MODEL', {}],
      [new ModelIntegrityError({ model: 'a/b', file: 'onnx/model.onnx', expected: 'sha256:1', actual: 'sha256:2' }), 500, 'server_error', 'ACCEL_MODEL_INTEGRITY', {}],
      [new InferenceError({ endpoint: 'minilm' }), 500, 'server_error', 'ACCEL_INFERENCE', {}],
      [new Error('secret internals'), 500, 'server_error', 'internal_error', {}],
    ];
    for (const [error, status, type, code, headers] of cases) {
      const reply = errorReply(error);
      expect({ status: reply.status, type: reply.body.error.type, code: reply.body.error.code, headers: reply.headers }, error.name).toEqual({ status, type, code, headers });
    }
    // An unknown error's message stays on the server.
    expect(errorReply(new Error('secret internals')).body.error.message).toBe('internal server error');
  });

  it('names the field a schema rejected as param', () => {
    expect(paramOf(new InvalidInputError({ reason: '1: Invalid input: expected string, received number', index: 1 }))).toBe('input[1]');
    expect(paramOf(new InvalidInputError({ reason: 'images.1: not an image' }))).toBe('input.images[1]');
    expect(paramOf(new InvalidInputError({ reason: 'options.pooling: Invalid option' }))).toBe('options.pooling');
    expect(paramOf(new InvalidInputError({ reason: 'the text is empty', index: 2 }))).toBe('input[2]');
    expect(paramOf(new InvalidInputError({ reason: 'the text is empty' }))).toBe('input');
  });
});

describe('bindWarnings', () => {
  it('warns about a non-loopback address without a key, and only then', () => {
    expect(bindWarnings('0.0.0.0', undefined)).toEqual([expect.stringMatching(/^binding 0\.0\.0\.0 without an API key/)]);
    expect(bindWarnings('192.0.2.10', undefined)).toHaveLength(1);
    expect(bindWarnings('0.0.0.0', 'key')).toEqual([]);
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(bindWarnings(host, undefined), host).toEqual([]);
  });
});
