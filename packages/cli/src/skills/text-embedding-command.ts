import { InvalidInputError } from '@accel/core';
import type { SkillCommand } from './skill-command.js';

function formatVector(vector: Float32Array): string {
  const head = Array.from(vector.slice(0, 6), (value) => value.toFixed(4)).join(', ');
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return `[${head}${vector.length > 6 ? ', …' : ''}] (${vector.length} dims, norm ${norm.toFixed(4)})`;
}

/** The command of a text-embedding skill: each positional argument is one text. */
export function textEmbeddingCommand(name: string, packageName: string, exportName: string): SkillCommand {
  return {
    name,
    packageName,
    exportName,
    usage: `accel run ${name} <text…>`,
    toRequest(positionals) {
      if (positionals.length === 0) throw new InvalidInputError({ reason: `accel run ${name} needs at least one text` });
      return { input: positionals.length === 1 ? positionals[0] : [...positionals] };
    },
    formatOutput(output, positionals) {
      const { embeddings } = output as { embeddings: Float32Array[] };
      return embeddings.map((embedding, index) => `${JSON.stringify(positionals[index])} → ${formatVector(embedding)}`).join('\n');
    },
  };
}
