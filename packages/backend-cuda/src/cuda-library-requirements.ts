/** A shared library the CUDA provider loads, and where it comes from. */
export interface LibraryRequirement {
  readonly file: string;
  /** The pip wheel that ships it (its files land in `site-packages/nvidia/<component>/lib`). */
  readonly pipPackage: string;
  /** Other major versions of the same library, named when found instead, to explain the mismatch. */
  readonly otherVersions: readonly string[];
}

/**
 * CUDA 12 libraries that onnxruntime-node 1.30's CUDA provider (`libonnxruntime_providers_cuda.so`,
 * from the Microsoft.ML.OnnxRuntime.Gpu.Linux package, a CUDA 12 build) needs. The list follows
 * onnxruntime's CUDA 12 requirements and its own Python package's preload list; it could not be
 * read from the provider file itself, which is not installed on the machines this was written on.
 */
export const cudaLibraries: readonly LibraryRequirement[] = [
  { file: 'libcudart.so.12', pipPackage: 'nvidia-cuda-runtime-cu12', otherVersions: ['libcudart.so.13', 'libcudart.so.11.0'] },
  { file: 'libcublas.so.12', pipPackage: 'nvidia-cublas-cu12', otherVersions: ['libcublas.so.13', 'libcublas.so.11'] },
  { file: 'libcublasLt.so.12', pipPackage: 'nvidia-cublas-cu12', otherVersions: ['libcublasLt.so.13', 'libcublasLt.so.11'] },
  { file: 'libcufft.so.11', pipPackage: 'nvidia-cufft-cu12', otherVersions: ['libcufft.so.12', 'libcufft.so.10'] },
  { file: 'libcurand.so.10', pipPackage: 'nvidia-curand-cu12', otherVersions: [] },
];

/** cuDNN 9 (its loader library; it opens the rest of cuDNN itself). */
export const cudnnLibraries: readonly LibraryRequirement[] = [
  { file: 'libcudnn.so.9', pipPackage: 'nvidia-cudnn-cu12', otherVersions: ['libcudnn.so.8'] },
];

/** The driver's user-space CUDA library; the kernel module alone is not enough. */
export const driverLibrary = 'libcuda.so.1';
