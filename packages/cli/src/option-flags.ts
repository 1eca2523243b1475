import { InvalidInputError, inputJsonSchema, type SkillSchema } from '@accel/core';

/** How an option's value is read from the command line. */
export type OptionFlagKind = 'boolean' | 'number' | 'string' | 'strings' | 'numbers' | 'json';

/** A flag made from one field of a skill's options schema. */
export interface OptionFlag {
  /** `--max-new-tokens` for field `maxNewTokens`. */
  readonly flag: string;
  readonly field: string;
  readonly kind: OptionFlagKind;
  readonly description: string;
  /** The allowed values, when the field is an enum. */
  readonly choices?: readonly unknown[];
}

type JsonSchema = {
  type?: string | string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
};

/** `maxNewTokens` → `max-new-tokens`. */
export function kebabCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The alternatives of a schema: its `anyOf`/`oneOf` members, else itself. */
function alternatives(schema: JsonSchema): JsonSchema[] {
  const members = schema.anyOf ?? schema.oneOf;
  return members === undefined ? [schema] : members.flatMap(alternatives);
}

function typesOf(schema: JsonSchema): string[] {
  if (schema.const !== undefined) return [typeof schema.const];
  if (schema.enum !== undefined) return [...new Set(schema.enum.map((value) => typeof value))];
  return schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** How a field is typed on the command line: a list when it can be one, else its scalar type. */
function kindOf(schema: JsonSchema): OptionFlagKind {
  const members = alternatives(schema);
  const types = new Set(members.flatMap(typesOf).map((type) => (type === 'integer' ? 'number' : type)));
  types.delete('null');
  const array = members.find((member) => typesOf(member).includes('array'));
  if (array !== undefined) {
    const itemTypes = new Set(array.items === undefined ? [] : alternatives(array.items).flatMap(typesOf).map((type) => (type === 'integer' ? 'number' : type)));
    if (itemTypes.size === 1 && itemTypes.has('string')) return 'strings';
    if (itemTypes.size === 1 && itemTypes.has('number')) return 'numbers';
    return 'json';
  }
  if (types.size === 1) {
    const [type] = types;
    if (type === 'boolean' || type === 'number' || type === 'string') return type;
  }
  return 'json';
}

/** A field's range as help text: `0 to 2`, `≥ 1`. */
function rangeOf(schema: JsonSchema): string {
  const member = alternatives(schema).find((candidate) => candidate.minimum !== undefined || candidate.maximum !== undefined || candidate.exclusiveMinimum !== undefined);
  if (member === undefined) return '';
  const safe = (value: number | undefined) => (value !== undefined && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined);
  const low = safe(member.minimum);
  const high = safe(member.maximum);
  const above = safe(member.exclusiveMinimum);
  if (low !== undefined && high !== undefined) return `${low} to ${high}`;
  if (low !== undefined) return `≥ ${low}`;
  if (above !== undefined) return `> ${above}`;
  if (high !== undefined) return `≤ ${high}`;
  return '';
}

/** One flag per top-level field of a skill's options schema, in the schema's order. */
export function optionFlagsOf(schema: SkillSchema | undefined): OptionFlag[] {
  if (schema === undefined) return [];
  const json = inputJsonSchema(schema) as JsonSchema;
  const objects = alternatives(json).filter((member) => member.properties !== undefined);
  const flags: OptionFlag[] = [];
  for (const object of objects) {
    for (const [field, property] of Object.entries(object.properties ?? {})) {
      if (flags.some((flag) => flag.field === field)) continue;
      const choices = alternatives(property).flatMap((member) => member.enum ?? (member.const === undefined ? [] : [member.const]));
      const kind = kindOf(property);
      const facts = [rangeOf(property), choices.length > 0 ? choices.join(', ') : '', kind === 'json' ? 'JSON' : ''].filter((fact) => fact.length > 0);
      const described = property.description ?? '';
      const description = facts.length === 0 ? described : described.endsWith(')') ? `${described.slice(0, -1)}; ${facts.join('; ')})` : `${described} (${facts.join('; ')})`;
      flags.push({ flag: kebabCase(field), field, kind, description: description.trim(), ...(choices.length > 0 ? { choices } : {}) });
    }
  }
  return flags;
}

/** The `parseArgs` table of option flags; a boolean option also gets `--no-<flag>`, which sets it to false. */
export function parseArgsTableOf(flags: readonly OptionFlag[]): Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> {
  return Object.fromEntries(
    flags.flatMap((flag): Array<[string, { type: 'string' | 'boolean'; multiple?: boolean }]> =>
      flag.kind === 'boolean'
        ? [
            [flag.flag, { type: 'boolean' }],
            [`no-${flag.flag}`, { type: 'boolean' }],
          ]
        : [[flag.flag, flag.kind === 'strings' || flag.kind === 'numbers' ? { type: 'string', multiple: true } : { type: 'string' }]],
    ),
  );
}

function toNumber(text: string, flag: string): number {
  const number = Number(text);
  if (text.trim() === '' || !Number.isFinite(number)) throw new InvalidInputError({ reason: `--${flag} must be a number, got ${text}` });
  return number;
}

/**
 * The options object from parsed flag values: numbers parsed, lists kept, JSON parsed. Ranges and
 * choices are not checked here: the skill's schema checks them, with the same message as for a
 * library call.
 */
export function optionsFromFlags(flags: readonly OptionFlag[], values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const flag of flags) {
    if (flag.kind === 'boolean' && values[`no-${flag.flag}`] === true) {
      if (values[flag.flag] === true) throw new InvalidInputError({ reason: `give --${flag.flag} or --no-${flag.flag}, not both` });
      options[flag.field] = false;
      continue;
    }
    const value = values[flag.flag];
    if (value === undefined) continue;
    switch (flag.kind) {
      case 'boolean':
      case 'string':
      case 'strings':
        options[flag.field] = value;
        break;
      case 'number':
        options[flag.field] = toNumber(String(value), flag.flag);
        break;
      case 'numbers':
        options[flag.field] = (value as string[]).flatMap((text) => text.split(',')).map((text) => toNumber(text, flag.flag));
        break;
      case 'json':
        try {
          options[flag.field] = JSON.parse(String(value));
        } catch (error) {
          throw new InvalidInputError({ reason: `--${flag.flag} takes JSON, got ${String(value)}`, cause: error });
        }
        break;
    }
  }
  return options;
}
