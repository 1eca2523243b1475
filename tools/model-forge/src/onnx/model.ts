import { forgeName, forgeVersion } from '../version.js';
import type { GraphDefinition, ModelDefinition } from './definitions.js';

export const defaultOpsetVersion = 17;
export const defaultIrVersion = 8;

export interface ModelOptions {
  readonly opsetVersion?: number;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export function createModel(graph: GraphDefinition, options: ModelOptions = {}): ModelDefinition {
  return {
    graph,
    irVersion: defaultIrVersion,
    opsetVersion: options.opsetVersion ?? defaultOpsetVersion,
    producerName: forgeName,
    producerVersion: forgeVersion,
    ...(options.docString === undefined ? {} : { docString: options.docString }),
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  };
}
