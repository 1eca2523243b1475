import { createAudioFixtures } from '@accel/testkit';

export const { fixtureFolder, speechToolsMissing, speak, writeWav, voiced, brokenFiles } = createAudioFixtures();
