// Every public entry point of every published accel package; test/consumer-types.test.ts checks this list.
import * as entry0 from '@accel/backend-cpu';
import * as entry1 from '@accel/backend-cuda';
import * as entry2 from '@accel/backend-openvino';
import * as entry3 from '@accel/backend-wasm';
import * as entry4 from '@accel/bench';
import * as entry5 from '@accel/cli';
import * as entry6 from '@accel/core';
import * as entry7 from '@accel/core/media';
import * as entry8 from '@accel/core/model-store';
import * as entry9 from '@accel/model-forge';
import * as entry10 from '@accel/skill-bert';
import * as entry11 from '@accel/skill-clap';
import * as entry12 from '@accel/skill-clip';
import * as entry13 from '@accel/skill-gpt2';
import * as entry14 from '@accel/skill-llama';
import * as entry15 from '@accel/skill-llava';
import * as entry16 from '@accel/skill-llava-next';
import * as entry17 from '@accel/skill-sentence-embeddings';
import * as entry18 from '@accel/skill-t5';
import * as entry19 from '@accel/skill-text-classification';
import * as entry20 from '@accel/skill-wav2vec2';
import * as entry21 from '@accel/skill-whisper';
import * as entry22 from '@accel/skill-xclip';
import * as entry23 from '@accel/testkit';
import * as entry24 from '@accel/testkit/reports';
import * as entry25 from '@accel/transformers-kit';

export const entryPoints = [entry0, entry1, entry2, entry3, entry4, entry5, entry6, entry7, entry8, entry9, entry10, entry11, entry12, entry13, entry14, entry15, entry16, entry17, entry18, entry19, entry20, entry21, entry22, entry23, entry24, entry25];
