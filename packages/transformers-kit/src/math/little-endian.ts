/** Whether this machine stores integers little-endian (where an int64's low 32-bit word comes first). */
export const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
