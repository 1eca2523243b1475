import wabt from 'wabt';

/** WebAssembly text to its binary, with SIMD, as wabt's wat2wasm writes it. */
export async function compileWat(text) {
  const module = (await wabt()).parseWat('bicubic-kernels.wat', text, { simd: true });
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({ write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
