import type { BenchSubject } from './bench-subject.js';
import { loadTransformers, localFolderOptions, transformersName } from './transformers-library.js';

type Callable = (input: unknown) => Promise<unknown>;

/**
 * Image embeddings the way transformers.js documents them for CLIP: `RawImage.read` of the file,
 * `AutoProcessor`, then `CLIPVisionModelWithProjection` (which loads `vision_model.onnx`).
 */
export function createClipVisionPipelineSubject(options: { model: string; images: readonly string[] }): BenchSubject {
  let embed: ((paths: readonly string[]) => Promise<unknown>) | undefined;
  let release: (() => Promise<unknown>) | undefined;
  let runtime = '@huggingface/transformers';
  const pick = (start: number, count: number) => Array.from({ length: count }, (_, offset) => options.images[(start + offset) % options.images.length]!);
  return {
    role: 'pipeline',
    label: 'CLIPVisionModelWithProjection',
    get runtime() {
      return runtime;
    },
    notes: ['RawImage.read + AutoProcessor + CLIPVisionModelWithProjection, per call'],
    async load() {
      const { AutoProcessor, CLIPVisionModelWithProjection, RawImage } = await loadTransformers();
      runtime = await transformersName();
      const processor = (await AutoProcessor.from_pretrained(options.model, { local_files_only: true })) as unknown as Callable;
      const model = await CLIPVisionModelWithProjection.from_pretrained(options.model, localFolderOptions);
      release = () => model.dispose();
      embed = async (paths) => {
        const images = await Promise.all(paths.map((path) => RawImage.read(path)));
        return (model as unknown as Callable)(await processor(images));
      };
    },
    async runSingle(index) {
      await embed!(pick(index, 1));
    },
    async runBatch(size) {
      await embed!(pick(0, size));
    },
    async dispose() {
      await release?.();
    },
  };
}
