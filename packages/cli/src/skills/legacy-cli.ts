import type { SkillCliV1, SkillV1 } from '@accel/core';
import { skillCommands } from './index.js';
import type { FlagValues } from './skill-command.js';

/**
 * Transitional: a skill that does not describe its command line yet gets one from the CLI's old
 * per-skill adapter. Goes away when every skill carries `cli`.
 */
export function withLegacyCli(skill: SkillV1): SkillV1 {
  if (skill.cli !== undefined) return skill;
  const command = skillCommands.find((candidate) => candidate.name === skill.name);
  if (command === undefined) return skill;
  let values: FlagValues = {};
  const cli: SkillCliV1 = {
    usage: [command.usage],
    positionals: 'inputs',
    flags: Object.fromEntries(
      Object.entries(command.flags ?? {})
        .filter(([flag]) => flag !== 'input-file')
        .map(([flag, config]) => [flag, { type: config.type, ...(config.multiple ? { multiple: true } : {}), description: '' }]),
    ),
    toRequest: (line) => {
      values = { ...line.flags } as FlagValues;
      return command.toRequest(line.positionals, values) as { input: unknown };
    },
    format: (output, line, provenance) => command.formatOutput(output, line.positionals, { ...values, 'input-file': legacyInputFiles(line.inputNames, line.positionals) }, provenance),
  };
  return { ...skill, cli };
}

/** The `--input-file` paths, recovered from how inputs are named (a path is not a quoted text). */
function legacyInputFiles(names: readonly string[], texts: readonly string[]): string[] | undefined {
  const paths = names.filter((name, index) => name !== JSON.stringify(texts[index]) && !name.startsWith('"'));
  return paths.length === names.length && paths.length > 0 ? paths.map((name) => (name === '(stdin)' ? '-' : name)) : undefined;
}
