import type { ForgeFile } from '../files/file-content.js';
import { jsonContent } from '../files/file-content.js';

/** sentence-transformers module files: transformer, mean pooling, L2 normalization. */
export function sentenceTransformersFiles(hidden: number, maxSequenceLength: number): ForgeFile[] {
  return [
    {
      path: 'modules.json',
      content: jsonContent([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
        { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
      ]),
    },
    { path: 'sentence_bert_config.json', content: jsonContent({ max_seq_length: maxSequenceLength, do_lower_case: false }) },
    {
      path: '1_Pooling/config.json',
      content: jsonContent({
        word_embedding_dimension: hidden,
        pooling_mode_cls_token: false,
        pooling_mode_mean_tokens: true,
        pooling_mode_max_tokens: false,
        pooling_mode_mean_sqrt_len_tokens: false,
      }),
    },
  ];
}
