import { InvalidInputError } from '@accel/core';
import { describeInputFile, describeText, inputFileFlags, inputFilePaths } from '../input-files.js';
import type { FlagValues, SkillCommand } from './skill-command.js';

function formatVector(vector: Float32Array): string {
  const head = Array.from(vector.slice(0, 6), (value) => value.toFixed(4)).join(', ');
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return `[${head}${vector.length > 6 ? ', …' : ''}] (${vector.length} dims, norm ${norm.toFixed(4)})`;
}

/** How each input is named in the output: the `--input-file` path, else the text itself. */
function inputNames(positionals: readonly string[], flags: FlagValues): string[] {
  const paths = inputFilePaths(flags);
  return paths.length > 0 ? paths.map(describeInputFile) : positionals.map(describeText);
}

/** The command of a text-embedding skill: each positional argument, or each `--input-file`, is one text. */
export function textEmbeddingCommand(name: string, packageName: string, exportName: string): SkillCommand {
  return {
    name,
    packageName,
    exportName,
    usage: `accel run ${name} <text…> | --input-file <path | ->…`,
    flags: inputFileFlags,
    toRequest(positionals) {
      if (positionals.length === 0) throw new InvalidInputError({ reason: `accel run ${name} needs at least one text, or --input-file <path>` });
      return { input: positionals.length === 1 ? positionals[0] : [...positionals] };
    },
    formatOutput(output, positionals, flags) {
      const { embeddings } = output as { embeddings: Float32Array[] };
      const names = inputNames(positionals, flags);
      return embeddings.map((embedding, index) => `${names[index]} → ${formatVector(embedding)}`).join('\n');
    },
  };
}
