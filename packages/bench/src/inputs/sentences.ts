// Every word is one token in BERT's uncased vocabulary (and in the forged models' vocabulary).
const subjects = ['man', 'boy', 'girl', 'king', 'dog', 'horse', 'bird', 'friend'];
const adjectives = ['small', 'young', 'old', 'big', 'good', 'great', 'new', 'white'];
const verbs = ['came', 'went', 'saw', 'took', 'told', 'heard', 'found', 'left'];
const places = ['river', 'house', 'school', 'city', 'farm', 'road', 'sea', 'mountain'];
const times = ['again', 'once', 'early', 'late', 'soon', 'now', 'here', 'there'];

function pick(words: readonly string[], index: number): string {
  return words[index % words.length]!;
}

/**
 * `count` different English sentences of 13 words, 15 tokens with BERT's special tokens: the
 * length the figures were measured at. Different, so that no two concurrent requests are
 * merged by deduplication.
 */
export function benchSentences(count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const mixed = index * 7 + Math.floor(index / 8);
    return `the ${pick(adjectives, index)} ${pick(subjects, mixed)} ${pick(verbs, index + 3)} near the ${pick(adjectives, mixed + 5)} ${pick(places, index + 1)} by the old ${pick(places, mixed + 2)} ${pick(times, index + mixed)}`;
  });
}

const oneTokenWords = [...subjects, ...adjectives, ...verbs, ...places, ...times];

/**
 * `count` different texts of exactly `tokens` tokens with BERT's [CLS] and [SEP] (`tokens - 2` words,
 * each one token in BERT's uncased vocabulary): the first three words spell the text's index, so no
 * two are alike; the rest follow a fixed pseudo-random walk over the words. The scaling bench checks
 * the length with the model's tokenizer.
 */
export function benchTextsOfTokens(count: number, tokens: number): string[] {
  const words = tokens - 2;
  if (!Number.isInteger(words) || words < 3) throw new RangeError(`texts need at least 5 tokens, got ${tokens}`);
  const base = oneTokenWords.length;
  if (count > base ** 3) throw new RangeError(`at most ${base ** 3} different texts, asked for ${count}`);
  return Array.from({ length: count }, (_, index) => {
    const spelled = [Math.floor(index / base ** 2) % base, Math.floor(index / base) % base, index % base].map((digit) => oneTokenWords[digit]!);
    const rest = Array.from({ length: words - 3 }, (_, position) => oneTokenWords[(index * 7 + position * 13 + ((position * position) % 11)) % base]!);
    return [...spelled, ...rest].join(' ');
  });
}
