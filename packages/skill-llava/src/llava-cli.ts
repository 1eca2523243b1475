import { visionLanguageCli } from '@accel/transformers-kit';

/** `accel run llava --image x.png "What is in the picture?"`: images and a prompt to text (the kit's vision-language command line). */
export const llavaCli = visionLanguageCli('llava');
