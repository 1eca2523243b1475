/** The reason openvino-node cannot run on this Node.js version, or undefined when it can. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= 21) return undefined;
  return `openvino-node requires Node.js ≥ 21; this is ${version.startsWith('v') ? version : `v${version}`}`;
}
