/**
 * How the kit's public declarations name transformers.js types without importing them.
 *
 * The typings of `@huggingface/transformers` and of `@huggingface/tokenizers` (which they import)
 * fail a consumer's `skipLibCheck: false` check: extensionless relative imports under NodeNext,
 * class members incompatible with their base classes, browser-only globals. A public declaration
 * that imported them would hand a consumer errors it cannot fix, so none does
 * (tools/consumer-types checks every entry point). Code that uses transformers.js itself — the
 * kit's own sources, the skills — fills in `TransformersTypes` with a module augmentation in a
 * source file that no public declaration imports, and sees the real types. The kit's is
 * `transformers-type-declarations.ts` beside this file; this repository's skills include its
 * compiled `.d.ts` through `"files"` in their tsconfigs; a skill elsewhere writes its own:
 *
 * ```ts
 * import type * as Transformers from '@huggingface/transformers';
 * declare module '@accel/transformers-kit' {
 *   interface TransformersTypes {
 *     readonly module: typeof Transformers;
 *     readonly tokenizer: Transformers.PreTrainedTokenizer;
 *     readonly imageProcessor: Transformers.ImageProcessor;
 *   }
 * }
 * ```
 *
 * Everyone else sees opaque object types.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by module augmentation, see above
export interface TransformersTypes {}

type Declared<Key extends string, Fallback> = TransformersTypes extends { readonly [Name in Key]: infer Declaration } ? Declaration : Fallback;

/** The transformers.js module (`typeof import('@huggingface/transformers')` where declared). */
export type TransformersModule = Declared<'module', { readonly [exportName: string]: unknown }>;

/** A transformers.js tokenizer (`PreTrainedTokenizer` where declared). */
export type TransformersTokenizer = Declared<'tokenizer', object>;

/** A transformers.js image processor (`ImageProcessor` where declared). */
export type TransformersImageProcessor = Declared<'imageProcessor', object>;
