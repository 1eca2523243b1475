/**
 * A fast path for BERT's WordPiece tokenizer on ASCII text, equal to `@huggingface/tokenizers`.
 *
 * Why: profiles of bert-tiny batches showed `@huggingface/tokenizers`' encode (clean_text,
 * pre_tokenize, the per-character regular expressions, array copies in WordPiece) costing a large
 * share of a batch's time beside onnxruntime's run. For a tokenizer.json this module recognises
 * exactly (BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing or BertProcessing,
 * unnormalized added tokens) and a text whose characters are all ASCII, BERT's normalization and
 * pre-tokenization reduce to a table lookup per character, and each word's pieces can be cached.
 * Any other text (non-ASCII, or containing an added token's content) and any other tokenizer.json
 * goes to `@huggingface/tokenizers`, which stays the reference the tests compare with.
 *
 * Semantics copied from `@huggingface/tokenizers` 0.2 (not from the Rust crate, where a few
 * corners differ): `clean_text` drops NUL, U+FFFD and control characters except tab, newline and
 * carriage return, then maps whitespace to a space; `lowercase` lowercases; accents and CJK padding
 * leave ASCII unchanged; BertPreTokenizer splits on whitespace and isolates each punctuation
 * character (`\p{P}` and every ASCII symbol); WordPiece takes the longest piece first, prefixes
 * pieces after the first with the continuing-subword prefix, and turns a word longer than
 * `max_input_chars_per_word` or with no full split into the unknown token.
 */

/** Encodes one text, or answers undefined when the text is not the fast path's to encode. */
export type WordPieceFastEncode = (text: string) => number[] | undefined;

interface AddedTokenJson {
  readonly id?: unknown;
  readonly content?: unknown;
  readonly special?: unknown;
  readonly normalized?: unknown;
}

const WORD = 0;
const SPACE = 1;
const PUNCT = 2;
const DROP = 3;

/** Largest number of words whose pieces are cached; the cache is cleared when it is reached. */
const wordCacheLimit = 50_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` has exactly the keys in `allowed` (others make the config unrecognised). */
function onlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key));
}

/**
 * The character classes of ASCII after BertNormalizer and BertPreTokenizer: a word character, a
 * separator (whitespace), a punctuation character (its own word), or a character clean_text drops.
 */
function characterClasses(cleanText: boolean): Uint8Array {
  const classes = new Uint8Array(128);
  for (let code = 0; code < 128; code += 1) {
    const isPunctuation = (code >= 0x21 && code <= 0x2f) || (code >= 0x3a && code <= 0x40) || (code >= 0x5b && code <= 0x60) || (code >= 0x7b && code <= 0x7e);
    // JavaScript's \s in ASCII: tab, newline, vertical tab, form feed, carriage return, space.
    const isWhitespace = code === 0x20 || (code >= 0x09 && code <= 0x0d);
    // \p{Cc}: 0x00–0x1f and 0x7f; clean_text keeps tab, newline and carriage return (as spaces).
    const isDropped = cleanText && (code < 0x20 || code === 0x7f) && code !== 0x09 && code !== 0x0a && code !== 0x0d;
    classes[code] = isDropped ? DROP : isWhitespace ? SPACE : isPunctuation ? PUNCT : WORD;
  }
  return classes;
}

/**
 * Builds the fast path for a tokenizer.json (and its tokenizer_config.json), or undefined when
 * the files hold anything it does not implement exactly as `@huggingface/tokenizers` does.
 */
export function createWordPieceFastPath(
  tokenizerJson: unknown,
  tokenizerConfig: unknown,
  /**
   * The library's own token → id map (`Tokenizer.model.tokens_to_ids`, the vocabulary with the
   * added tokens written over it), shared instead of building a second one: building a map of a
   * 30,522-piece vocabulary costs tens of milliseconds of endpoint load. Omitted: built here.
   */
  tokenIds?: ReadonlyMap<string, number>,
): WordPieceFastEncode | undefined {
  if (!isRecord(tokenizerJson) || !isRecord(tokenizerConfig)) return undefined;
  // tokenizer_config.json options that change the text before the normalizer runs.
  if (tokenizerConfig.remove_space === true || (tokenizerConfig.do_lowercase_and_remove_accent ?? false) !== false) return undefined;

  const { normalizer, pre_tokenizer: preTokenizer, model, post_processor: postProcessor, added_tokens: addedTokens } = tokenizerJson;
  if (!isRecord(normalizer) || normalizer.type !== 'BertNormalizer') return undefined;
  if (!onlyKeys(normalizer, ['type', 'clean_text', 'handle_chinese_chars', 'strip_accents', 'lowercase'])) return undefined;
  const flags = [normalizer.clean_text, normalizer.handle_chinese_chars, normalizer.strip_accents, normalizer.lowercase];
  if (!flags.every((flag) => flag === undefined || flag === null || typeof flag === 'boolean')) return undefined;
  // handle_chinese_chars and strip_accents do not change ASCII text; clean_text and lowercase do.
  const cleanText = normalizer.clean_text === true;
  const lowercase = normalizer.lowercase === true;

  if (!isRecord(preTokenizer) || preTokenizer.type !== 'BertPreTokenizer') return undefined;

  if (!isRecord(model) || model.type !== 'WordPiece' || !isRecord(model.vocab)) return undefined;
  if (!onlyKeys(model, ['type', 'unk_token', 'continuing_subword_prefix', 'max_input_chars_per_word', 'vocab'])) return undefined;
  const { unk_token: unkToken, continuing_subword_prefix: prefix } = model;
  const maxInputChars: unknown = model.max_input_chars_per_word ?? 100;
  if (typeof unkToken !== 'string' || typeof prefix !== 'string' || typeof maxInputChars !== 'number') return undefined;
  const maxWordLength = maxInputChars;

  if (!Array.isArray(addedTokens)) return undefined;
  const addedContents: string[] = [];
  for (const added of addedTokens as AddedTokenJson[]) {
    if (!isRecord(added) || typeof added.content !== 'string' || added.content.length === 0 || typeof added.id !== 'number') return undefined;
    // A normalized added token is matched after normalization (a second splitter): not implemented.
    const normalized = added.normalized ?? !(added.special ?? false);
    if (normalized !== false) return undefined;
    addedContents.push(added.content);
  }
  const tokenMap = tokenIds ?? vocabularyWithAddedTokens(model.vocab, addedTokens as AddedTokenJson[]);
  if (tokenMap === undefined) return undefined;
  const ids: ReadonlyMap<string, number> = tokenMap;
  const unkId = ids.get(unkToken);
  if (unkId === undefined) return undefined;

  const special = specialTokenIds(postProcessor, ids);
  if (special === undefined) return undefined;
  const { before, after } = special;

  const classes = characterClasses(cleanText);
  // Added tokens are split out of the raw text first: a text that may hold one goes to the reference.
  const addedFirstCodes = new Set(addedContents.map((content) => content.charCodeAt(0)));
  const cache = new Map<string, readonly number[]>();

  function wordPieces(word: string): readonly number[] {
    const cached = cache.get(word);
    if (cached !== undefined) return cached;
    let pieces: number[] = [];
    if (word.length > maxWordLength) {
      pieces = [unkId!];
    } else {
      let start = 0;
      while (start < word.length) {
        let end = word.length;
        let id: number | undefined;
        for (; end > start; end -= 1) {
          const piece = start > 0 ? prefix + word.slice(start, end) : word.slice(start, end);
          id = ids.get(piece);
          if (id !== undefined) break;
        }
        if (id === undefined) {
          pieces = [unkId!];
          break;
        }
        pieces.push(id);
        start = end;
      }
    }
    if (cache.size >= wordCacheLimit) cache.clear();
    cache.set(word, pieces);
    return pieces;
  }

  return (text) => {
    let mayHoldAddedToken = false;
    let hasDropped = false;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code >= 128) return undefined;
      if (classes[code] === DROP) hasDropped = true;
      if (addedFirstCodes.has(code)) mayHoldAddedToken = true;
    }
    if (mayHoldAddedToken && addedContents.some((content) => text.includes(content))) return undefined;
    let normalized = text;
    if (hasDropped) {
      let kept = '';
      for (let index = 0; index < text.length; index += 1) if (classes[text.charCodeAt(index)] !== DROP) kept += text[index];
      normalized = kept;
    }
    if (lowercase) normalized = normalized.toLowerCase();

    const output = before.slice();
    let wordStart = -1;
    for (let index = 0; index <= normalized.length; index += 1) {
      const kind = index < normalized.length ? classes[normalized.charCodeAt(index)] : SPACE;
      if (kind === WORD) {
        if (wordStart < 0) wordStart = index;
        continue;
      }
      if (wordStart >= 0) {
        for (const id of wordPieces(normalized.slice(wordStart, index))) output.push(id);
        wordStart = -1;
      }
      if (kind === PUNCT) for (const id of wordPieces(normalized[index]!)) output.push(id);
    }
    for (const id of after) output.push(id);
    return output;
  };
}

/** The model's token → id map with the added tokens written over it, as the library builds it. */
function vocabularyWithAddedTokens(vocab: Record<string, unknown>, addedTokens: readonly AddedTokenJson[]): Map<string, number> | undefined {
  const ids = new Map<string, number>();
  for (const [token, id] of Object.entries(vocab)) {
    if (typeof id !== 'number') return undefined;
    ids.set(token, id);
  }
  for (const added of addedTokens) ids.set(added.content as string, added.id as number);
  return ids;
}

/**
 * The ids the post-processor puts before and after a single sequence, looked up the way the
 * reference looks up every token (added tokens, then the model's map), or undefined when the
 * post-processor is not TemplateProcessing `[specials…] A [specials…]` or BertProcessing.
 */
function specialTokenIds(postProcessor: unknown, ids: ReadonlyMap<string, number>): { before: number[]; after: number[] } | undefined {
  if (!isRecord(postProcessor)) return undefined;
  const idOf = (token: unknown): number | undefined => (typeof token === 'string' ? ids.get(token) : undefined);
  if (postProcessor.type === 'BertProcessing') {
    const { cls, sep } = postProcessor;
    if (!Array.isArray(cls) || !Array.isArray(sep)) return undefined;
    const clsId = idOf(cls[0]);
    const sepId = idOf(sep[0]);
    return clsId === undefined || sepId === undefined ? undefined : { before: [clsId], after: [sepId] };
  }
  if (postProcessor.type !== 'TemplateProcessing' || !Array.isArray(postProcessor.single)) return undefined;
  const before: number[] = [];
  const after: number[] = [];
  let seenSequence = false;
  for (const item of postProcessor.single as unknown[]) {
    if (!isRecord(item)) return undefined;
    if (isRecord(item.SpecialToken)) {
      const id = idOf(item.SpecialToken.id);
      if (id === undefined) return undefined;
      (seenSequence ? after : before).push(id);
    } else if (isRecord(item.Sequence) && item.Sequence.id === 'A' && !seenSequence) {
      seenSequence = true;
    } else {
      return undefined;
    }
  }
  return seenSequence ? { before, after } : undefined;
}
