/** Flag values as `parseArgs` returns them. */
export type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>;
