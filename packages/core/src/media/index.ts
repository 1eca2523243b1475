export type { AudioInput, ImageInput, RawPixels, RgbImage, VideoInput } from './media-source.js';
export { readAudio, type DecodedAudio } from './read-audio.js';
export { readImage, readImageResized, readImageRows, type ImageResizeTarget, type ReadImageRowsOptions, type ResizedImage } from './read-image.js';
export { ByteShelf } from './byte-shelf.js';
export type { ImageRowsListener } from './png-rows.js';
export { evenlySpacedIndices, readVideoFrames } from './read-video.js';
export { downmix, resample } from './resample.js';
export { decodeAudio, findTruncation, isAudioInput } from './audio-input.js';
