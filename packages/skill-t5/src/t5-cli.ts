import type { SkillCliV1 } from '@accel/core';
import { formatStop, generationUsage, promptOf } from '@accel/transformers-kit';
import type { T5Input, T5Options, T5Output } from './t5-schemas.js';

/**
 * `accel run t5 "translate English to German: the house is small"`: the positional arguments,
 * joined by spaces, are the prompt with its task prefix (or the one `--input-file`); the generation
 * flags come from the options schema. T5 has no chat template, so there is no `--chat`.
 */
export const t5Cli: SkillCliV1<T5Input, T5Options, T5Output> = {
  usage: [`accel run t5 "<task prefix>: <text>" | --input-file <path | -> ${generationUsage} [--stream]`],
  positionals: 'prompt…',
  toRequest(command) {
    return { input: promptOf(command, 't5', ', e.g. "translate English to German: the house is small"') };
  },
  format(output, _command, provenance) {
    return `${output.text}\n${formatStop(output.stopReason, provenance.timings.tokensGenerated)}`;
  },
};
