import { InvalidInputError, type SkillCliV1 } from '@accel/core';
import { formatVector } from '../cli/format-output.js';
import type { EmbeddingOutput, TextEmbeddingOptions, TextInput } from './text-embedding-schemas.js';

/**
 * The command line of a text-embedding skill: each positional argument (or each `--input-file`)
 * is one text; each embedding prints on one line, named by its text or file.
 */
export function textEmbeddingCli(name: string): SkillCliV1<TextInput, TextEmbeddingOptions, EmbeddingOutput> {
  return {
    usage: [`accel run ${name} <text…> | --input-file <path | ->…`],
    positionals: 'text…',
    toRequest({ positionals }) {
      if (positionals.length === 0) throw new InvalidInputError({ reason: `accel run ${name} needs at least one text, or --input-file <path>` });
      return { input: positionals.length === 1 ? positionals[0]! : [...positionals] };
    },
    format(output, { inputNames }) {
      return output.embeddings.map((embedding, index) => `${inputNames[index]} → ${formatVector(embedding)}`).join('\n');
    },
  };
}
