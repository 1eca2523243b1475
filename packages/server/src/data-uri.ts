import { HttpError } from './errors.js';

/** The kinds of media a data URI may carry in a request. */
export type MediaKind = 'image' | 'audio' | 'video';

/**
 * The bytes of a `data:<kind>/…;base64,…` URI, decoded with Node's fetch (undici implements the
 * data: URL spec). Anything else is a 400 naming `param`: an http(s) URL is refused on purpose —
 * the server never fetches URLs a client names (SSRF), as Ollama refuses them too.
 */
export async function decodeDataUri(value: unknown, kind: MediaKind, param: string): Promise<Uint8Array> {
  if (typeof value !== 'string') throw invalid(param, `expected a data:${kind}/…;base64,… URI string, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  if (/^https?:/i.test(value)) {
    throw invalid(param, `the server does not fetch URLs (SSRF protection): send the ${kind} inline as a data:${kind}/…;base64,… URI`);
  }
  if (!/^data:/i.test(value)) throw invalid(param, `expected a data:${kind}/…;base64,… URI`);
  let response: Response;
  try {
    response = await fetch(value);
  } catch (error) {
    throw invalid(param, `the data URI does not parse: ${(error as Error).message}`);
  }
  const mediaType = (response.headers.get('content-type') ?? '').toLowerCase();
  // `application/octet-stream` is what clients write when they do not know; the skill's decoder decides.
  if (!mediaType.startsWith(`${kind}/`) && !mediaType.startsWith('application/octet-stream')) {
    throw invalid(param, `expected ${kind} data (data:${kind}/…), got ${mediaType || 'no media type'}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength === 0) throw invalid(param, 'the data URI holds no bytes');
  return bytes;
}

function invalid(param: string, message: string): HttpError {
  return new HttpError(400, 'invalid_request_error', 'ACCEL_INVALID_INPUT', `${param}: ${message}`, { param });
}
