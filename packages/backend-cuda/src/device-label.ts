/** The CUDA device number of a `cuda:N` label, or undefined when the label is not one. */
export function parseCudaDeviceLabel(label: string): number | undefined {
  const match = /^cuda:(0|[1-9]\d*)$/.exec(label);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
