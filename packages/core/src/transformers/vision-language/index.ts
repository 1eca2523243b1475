export * from './image-prompt.js';
export * from './keep-padding-in-cached-steps.js';
export * from './llava-model-parts.js';
export * from './prompt-batch.js';
export * from './vision-language-batch.js';
export * from './vision-language-request.js';
