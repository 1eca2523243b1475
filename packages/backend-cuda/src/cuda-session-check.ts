import { cudaCheckInput, cudaCheckModel, cudaCheckOutput } from './cuda-check-model.js';
import type { CudaRuntime } from './cuda-runtime.js';

type RuntimeSession = Awaited<ReturnType<CudaRuntime['InferenceSession']['create']>>;

/**
 * Creates and runs the check model with the CUDA provider on one device. Returns undefined when
 * the GPU computed the right answer, else what went wrong (the runtime's message).
 */
export async function checkCudaSession(runtime: CudaRuntime, deviceId: number): Promise<string | undefined> {
  let session: RuntimeSession | undefined;
  try {
    session = await runtime.InferenceSession.create(cudaCheckModel(), {
      executionProviders: [{ name: 'cuda', deviceId }],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    const input = new runtime.Tensor('float32', Float32Array.from(cudaCheckInput.values), [cudaCheckInput.values.length]);
    const output = (await session.run({ [cudaCheckInput.name]: input }))[cudaCheckOutput.name];
    const values = output === undefined ? [] : Array.from(output.data as ArrayLike<number>);
    if (values.join() !== cudaCheckOutput.values.join()) {
      return `the check model returned [${values.join(', ')}] instead of [${cudaCheckOutput.values.join(', ')}]`;
    }
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.split('\n')[0] || message;
  } finally {
    await session?.release().catch(() => undefined);
  }
}
