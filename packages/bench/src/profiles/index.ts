import type { BenchProfile } from './bench-profile.js';
import { bertTinyProfile } from './bert-tiny.js';
import { clipProfile } from './clip.js';
import { gpt2Profile, gpt2Q8Profile } from './gpt2.js';
import { llamaProfile } from './llama.js';
import { miniLmProfile, miniLmQ8Profile } from './minilm.js';
import { whisperTinyProfile } from './whisper-tiny.js';

/** Every bench profile, in report order. Adding a skill: write a profile and list it here. */
export const benchProfiles: readonly BenchProfile[] = [
  bertTinyProfile,
  miniLmProfile,
  miniLmQ8Profile,
  clipProfile,
  gpt2Profile,
  gpt2Q8Profile,
  llamaProfile,
  whisperTinyProfile,
];
