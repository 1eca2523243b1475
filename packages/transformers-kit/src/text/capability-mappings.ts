import {
  InvalidInputError,
  UnsupportedError,
  type ClassifyCapabilityV1,
  type EmbedCapabilityV1,
  type EmbeddingModality,
  type LabelScore,
  type ModalityItems,
  type SkillRequest,
} from '@accel/core';

/** The items of one modality: texts, encoded images or audio clips, or videos as their encoded frames. */
export type ItemsOfModality<M extends EmbeddingModality> = Extract<ModalityItems, { readonly modality: M }>['items'];

/** How a skill turns the items of each modality it serves into its own request. */
export type ModalityRequests<Input, Options> = {
  readonly [M in EmbeddingModality]?: (items: ItemsOfModality<M>) => SkillRequest<Input, Options>;
};

function modalitiesOf(requests: ModalityRequests<unknown, unknown>): EmbeddingModality[] {
  return (['text', 'image', 'audio', 'video'] as const).filter((modality) => requests[modality] !== undefined);
}

function requestFor<Input, Options>(requests: ModalityRequests<Input, Options>, items: ModalityItems, verb: 'embed' | 'classify'): SkillRequest<Input, Options> {
  const map = requests[items.modality] as ((items: ModalityItems['items']) => SkillRequest<Input, Options>) | undefined;
  if (map === undefined) throw new InvalidInputError({ reason: `this skill can ${verb} ${modalitiesOf(requests).join(' or ')}, not ${items.modality}` });
  if (items.items.length === 0) throw new InvalidInputError({ reason: `no ${items.modality} items to ${verb}` });
  return map(items.items);
}

/**
 * The `embed` capability of a skill: one request per modality it embeds (the modalities are the
 * keys given) and where its output holds the vectors. A modality it was not given fails with
 * `InvalidInputError` naming the ones it serves.
 */
export function embedCapability<Input, Output, Options>(
  requests: ModalityRequests<Input, Options>,
  vectors: (output: Output) => readonly Float32Array[],
): EmbedCapabilityV1<Input, Output, Options> {
  return { modalities: modalitiesOf(requests), request: (items) => requestFor(requests, items, 'embed'), vectors };
}

/**
 * The `classify` capability of a zero-shot skill (CLIP, CLAP, X-CLIP): the caller's labels, and
 * optionally a template with `{}` where each label goes, are put into the skill's request by
 * `request`. Labels are required.
 */
export function zeroShotClassifyCapability<Input, Output, Options>(definition: {
  readonly requests: { readonly [M in EmbeddingModality]?: (items: ItemsOfModality<M>, labels: readonly string[], template: string | undefined) => SkillRequest<Input, Options> };
  readonly scores: (output: Output) => readonly (readonly LabelScore[])[];
}): ClassifyCapabilityV1<Input, Output, Options> {
  const { requests, scores } = definition;
  return {
    modalities: modalitiesOf(requests as ModalityRequests<unknown, unknown>),
    zeroShot: true,
    request(items, labels, template) {
      if (labels === undefined || labels.length === 0) throw new InvalidInputError({ reason: 'zero-shot classification needs labels: the candidate labels to score each item against' });
      const bound: ModalityRequests<Input, Options> = Object.fromEntries(
        Object.entries(requests).map(([modality, request]) => [modality, (values: never) => (request as (values: never, labels: readonly string[], template: string | undefined) => SkillRequest<Input, Options>)(values, labels, template)]),
      );
      return requestFor(bound, items, 'classify');
    },
    scores,
  };
}

/**
 * The `classify` capability of a skill that scores with the model's own labels (a
 * sequence-classification head): labels and templates from the caller are refused with
 * `UnsupportedError`, since the model has its labels built in.
 */
export function labelClassifyCapability<Input, Output, Options>(definition: {
  readonly requests: ModalityRequests<Input, Options>;
  readonly scores: (output: Output) => readonly (readonly LabelScore[])[];
}): ClassifyCapabilityV1<Input, Output, Options> {
  const { requests, scores } = definition;
  return {
    modalities: modalitiesOf(requests),
    zeroShot: false,
    request(items, labels, template) {
      if (labels !== undefined) throw new UnsupportedError({ feature: 'labels', message: "labels: this model classifies with its own labels (config.json's id2label); it takes no candidate labels" });
      if (template !== undefined) throw new UnsupportedError({ feature: 'template', message: 'template: this model classifies with its own labels; a label template applies to zero-shot models only' });
      return requestFor(requests, items, 'classify');
    },
    scores,
  };
}
