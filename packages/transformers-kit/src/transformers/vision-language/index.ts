export * from './image-prompt.js';
export * from './llava-generation-model.js';
export * from './llava-model-parts.js';
export * from './prompt-batch.js';
export * from './vision-language-batch.js';
export * from './vision-language-request.js';
export * from './vision-language-capability.js';
