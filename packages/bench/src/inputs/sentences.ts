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
