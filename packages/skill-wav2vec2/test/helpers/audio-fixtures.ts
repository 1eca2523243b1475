import { createAudioFixtures } from '@accel/core/testing';

export const { fixtureFolder, speechToolsMissing, speak, writeWav, voiced, brokenFiles } = createAudioFixtures();
