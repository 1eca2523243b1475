/** The two routes the HTTP clients can send the MiniLM workload to, and how each answer holds its vector. */
export type EmbeddingsRouteKind = 'openai' | 'native';

export interface EmbeddingsRoute {
  readonly kind: EmbeddingsRouteKind;
  readonly path: string;
  readonly label: string;
  body(text: string): unknown;
  vector(json: unknown): ArrayLike<number> | undefined;
}

/** The MiniLM request options of the bench's text-embedding profile (`profiles/minilm.ts`). */
export const embeddingOptions = { pooling: 'mean', normalize: true } as const;

/** The route of `kind` for the endpoint named `endpoint`. */
export function embeddingsRoute(kind: EmbeddingsRouteKind, endpoint: string): EmbeddingsRoute {
  return kind === 'openai'
    ? {
        kind,
        path: '/v1/embeddings',
        label: 'POST /v1/embeddings',
        // base64 is what the official openai client asks for when the caller does not say: the common case.
        body: (text) => ({ model: endpoint, input: text, encoding_format: 'base64' }),
        vector: (json) => {
          const embedding = (json as { data?: Array<{ embedding?: unknown }> }).data?.[0]?.embedding;
          if (typeof embedding !== 'string') return undefined;
          const bytes = Buffer.from(embedding, 'base64');
          return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
        },
      }
    : {
        kind,
        path: `/v1/accel/infer/${encodeURIComponent(endpoint)}`,
        label: 'POST /v1/accel/infer/{endpoint}',
        body: (text) => ({ input: text, options: embeddingOptions }),
        vector: (json) => (json as { output?: { embeddings?: number[][] } }).output?.embeddings?.[0],
      };
}
