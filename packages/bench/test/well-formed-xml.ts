import { expect } from 'vitest';

/** A minimal well-formedness check: every tag closes in order, attributes are quoted, no stray `<` or `&`. */
export function expectWellFormedXml(text: string): void {
  const stack: string[] = [];
  const tags = text.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g);
  let consumed = '';
  let last = 0;
  for (const match of tags) {
    consumed += text.slice(last, match.index);
    last = match.index + match[0].length;
    const [, closing, name, , selfClosing] = match;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name!);
  }
  consumed += text.slice(last);
  expect(stack).toEqual([]);
  expect(consumed).not.toMatch(/[<>]/);
  expect(consumed).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
}
