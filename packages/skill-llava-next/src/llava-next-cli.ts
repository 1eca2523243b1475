import { visionLanguageCli } from '@accel/transformers-kit';

/** `accel run llava-next --image a.png --image b.png "Compare them"`: any-resolution images and a prompt to text (the kit's vision-language command line). */
export const llavaNextCli = visionLanguageCli('llava-next');
