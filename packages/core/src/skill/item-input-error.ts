import { InvalidInputError } from '../errors/invalid-input-error.js';

/**
 * An item's failure as a one-line `InvalidInputError` naming the item: an `InvalidInputError` from
 * decoding keeps its reason (first line only); anything else becomes "cannot <doing> <name>: …".
 */
export function itemInputError(error: unknown, name: string, doing: string, index: number | undefined): InvalidInputError {
  const at = index === undefined ? {} : { index };
  if (InvalidInputError.isInstance(error)) {
    return new InvalidInputError({ reason: firstLine(error.reason), ...at, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new InvalidInputError({ reason: `cannot ${doing} ${name}: ${firstLine(message)}`, ...at, cause: error });
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}
