import { createCpuBackend } from '@accel/backend-cpu';
import { AbortedError, createAccel, InvalidInputError, type Accel, type ChatMessage, type InferResult } from '@accel/core';
import { forgeModel } from '@accel/model-forge';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaSkill, type LlamaOptions, type TextGenerationOutput } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

async function collect(stream: AsyncIterable<string> & { result: Promise<InferResult<TextGenerationOutput>> }) {
  const pieces: string[] = [];
  for await (const piece of stream) pieces.push(piece);
  return { pieces, result: await stream.result };
}

function asciiWindow(text: string, length: number): string {
  for (let start = Math.floor(text.length / 2); start + length <= text.length; start += 1) {
    const window = text.slice(start, start + length);
    if (/^[a-z]+$/i.test(window)) return window;
  }
  throw new Error(`no ASCII window in ${JSON.stringify(text)}`);
}

const families = [
  { id: 'facebook/opt-125m', family: 'OPT (learned positions from the attention mask, offset 2)', endOfSequence: 2, contextLength: 128 },
  { id: 'HuggingFaceTB/SmolLM2-135M-Instruct', family: 'LLaMA (GQA, RoPE from position_ids, chat template)', endOfSequence: 2, contextLength: 256 },
];

describe.each(families)('llama skill on a forged $family', ({ id, endOfSequence, contextLength }) => {
  let directory = '';
  let accel: Accel;
  let tokenizer: PreTrainedTokenizer;
  let reference: PreTrainedModel;
  const generate = (input: string | ChatMessage[], options: LlamaOptions = {}) => accel.infer(llamaSkill, input, options);

  /** Greedy tokens from one full forward pass (no KV cache) per step on the forged decoder. */
  async function greedyWithoutCache(prompt: string, newTokens: number): Promise<number[]> {
    const ids = tokenizer.encode(prompt);
    const generated: number[] = [];
    for (let step = 0; step < newTokens; step += 1) {
      const { logits } = (await reference({
        input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
        attention_mask: new Tensor('int64', BigInt64Array.from(ids, () => 1n), [1, ids.length]),
      })) as { logits: Tensor };
      const vocabulary = logits.dims[2]!;
      const last = (logits.data as Float32Array).subarray(logits.data.length - vocabulary);
      const next = last.indexOf(Math.max(...last));
      if (next === endOfSequence) break;
      ids.push(next);
      generated.push(next);
    }
    return generated;
  }

  beforeAll(async () => {
    env.allowRemoteModels = false;
    ({ directory } = await forgeModel(id, { root: modelRoot }));
    accel = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [llamaSkill] });
    accel.addEndpoint({ skill: llamaSkill, model: directory, id: 'llama' });
    await accel.init();
    tokenizer = await AutoTokenizer.from_pretrained(directory, { local_files_only: true });
    reference = await AutoModelForCausalLM.from_pretrained(directory, { local_files_only: true, dtype: 'fp32' });
  });
  afterAll(() => accel.dispose());

  it('generates greedily with the KV cache exactly what full forward passes pick', async () => {
    const { output } = await generate('Once upon a time', { maxNewTokens: 12 });
    const expected = await greedyWithoutCache('Once upon a time', 12);
    expect(output.tokens).toEqual(expected);
    expect(output.text).toBe(tokenizer.decode(expected, { skip_special_tokens: true }));
    expect(output.stopReason).toBe(expected.length === 12 ? 'length' : 'eos');
  });

  it('gives a prompt inside a left-padded batch exactly the tokens it gets alone', async () => {
    const requests: Array<[string, LlamaOptions]> = [
      ['a', { maxNewTokens: 5 }],
      ['Once upon a time there was a cat', { maxNewTokens: 12 }],
      ['The quick brown fox jumps over the lazy dog again and again', { maxNewTokens: 8 }],
    ];
    const singles: InferResult<TextGenerationOutput>[] = [];
    for (const [prompt, options] of requests) singles.push(await generate(prompt, options));
    const batched = await Promise.all(requests.map(([prompt, options]) => generate(prompt, options)));
    expect(batched.map((result) => Math.max(...result.provenance.batchSizes))).toEqual([3, 3, 3]);
    batched.forEach((result, index) => expect(result.output).toEqual(singles[index]!.output));
    expect(new Set(singles.map((result) => result.output.text)).size).toBe(3);
  });

  it('samples reproducibly for a seed, differently for another seed, and greedily with topK 1', async () => {
    const sample = (seed: number, extra: LlamaOptions = {}) => generate('Once upon a time', { maxNewTokens: 16, temperature: 1, seed, ...extra });
    const [first, again, other] = await Promise.all([sample(1), sample(1), sample(2)]);
    expect(again!.output).toEqual(first!.output);
    expect(other!.output.tokens).not.toEqual(first!.output.tokens);
    const greedy = await generate('Once upon a time', { maxNewTokens: 16 });
    expect(greedy.output.tokens).not.toEqual(first!.output.tokens);
    expect((await sample(5, { topK: 1 })).output.tokens).toEqual(greedy.output.tokens);
  });

  it('cuts the text before a stop string, streams only what precedes it, and says why it stopped', async () => {
    const options = { maxNewTokens: 32, temperature: 1, seed: 7 };
    const { output: free } = await generate('Once upon a time', options);
    const stop = asciiWindow(free.text, 2);
    const cut = free.text.slice(0, free.text.indexOf(stop));
    const { pieces, result } = await collect(accel.stream(llamaSkill, 'Once upon a time', { ...options, stop: [stop] }));
    expect(result.output.text).toBe(cut);
    expect(result.output.stopReason).toBe('stop-string');
    expect(pieces.join('')).toBe(cut);
  });

  it('streams pieces that add up to the text, with tokens per second in the provenance', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { pieces, result } = await collect(accel.stream(llamaSkill, 'The history of science', { maxNewTokens: 24, temperature: 1.5, seed }));
      expect(pieces.join(''), `seed ${seed}`).toBe(result.output.text);
      expect(result.provenance.timings.tokensGenerated).toBe(result.output.tokens.length);
      expect(result.provenance.timings.tokensPerSecond).toBeGreaterThan(0);
      expect(result.provenance.timings.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses prompts longer than the context, and cuts maxNewTokens to the room left', async () => {
    const long = await generate('the cat sat on the mat. '.repeat(80)).catch((error: unknown) => error);
    expect(InvalidInputError.isInstance(long)).toBe(true);
    expect((long as InvalidInputError).reason).toMatch(new RegExp(`context holds ${contextLength}`));

    let prompt = 'the cat sat on the mat.';
    while (tokenizer.encode(prompt).length < contextLength - 40) prompt += ' the cat sat on the mat.';
    const promptTokens = tokenizer.encode(prompt).length;
    const { output, provenance } = await generate(prompt, { maxNewTokens: 100 });
    expect(promptTokens + 100).toBeGreaterThan(contextLength);
    expect(output.tokens.length).toBeLessThanOrEqual(contextLength - promptTokens);
    expect(provenance.notes).toEqual([expect.objectContaining({ kind: 'truncated' })]);
  });

  it('stops an aborted stream and keeps the endpoint serving the next request', async () => {
    const expected = (await generate('Once upon a time', { maxNewTokens: 8 })).output;
    const controller = new AbortController();
    const stream = accel.stream(llamaSkill, 'Once upon a time', { maxNewTokens: 100, signal: controller.signal });
    stream.result.catch(() => undefined);
    const pieces: string[] = [];
    const iterated = (async () => {
      for await (const piece of stream) {
        pieces.push(piece);
        controller.abort();
      }
    })();
    await expect(iterated).rejects.toSatisfy(AbortedError.isInstance);
    await expect(stream.result).rejects.toSatisfy(AbortedError.isInstance);
    expect(pieces).toHaveLength(1);
    expect((await generate('Once upon a time', { maxNewTokens: 8 })).output).toEqual(expected);
    expect(accel.status()[0]).toMatchObject({ state: 'ready', queue: { pending: 0, busy: false } });
  });

  it('streams from a worker thread (the default) exactly what the calling thread generates', async () => {
    const inline = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [llamaSkill] });
    inline.addEndpoint({ skill: llamaSkill, model: directory, isolation: 'inline' });
    const options = { maxNewTokens: 12, temperature: 0.9, seed: 21 };
    const onThread = await collect(inline.stream(llamaSkill, 'Once upon a time', options));
    const onWorker = await collect(accel.stream(llamaSkill, 'Once upon a time', options));
    expect(onWorker.result.provenance.isolation).toBe('worker');
    expect(onThread.result.provenance.isolation).toBe('inline');
    expect(onWorker.result.output).toEqual(onThread.result.output);
    expect(onWorker.pieces.join('')).toBe(onThread.pieces.join(''));
    await inline.dispose();
  });

  it('runs the int8 model (dtype q8)', async () => {
    const quantized = createAccel({ backends: [createCpuBackend({ threads: 1 })], skills: [llamaSkill] });
    quantized.addEndpoint({ skill: llamaSkill, model: directory, dtype: 'q8' });
    const { output, provenance } = await quantized.infer(llamaSkill, 'Once upon a time', { maxNewTokens: 6 });
    expect(output.tokens.length).toBeGreaterThan(0);
    expect(provenance.model.files).toContain('onnx/model_quantized.onnx');
    await quantized.dispose();
  });

  if (id === 'facebook/opt-125m') {
    it('encodes prompts with OPT’s leading </s> and refuses chat (no chat template)', async () => {
      expect(tokenizer.encode('hello')[0]).toBe(2);
      const chat = await generate([{ role: 'user', content: 'hello' }]).catch((error: unknown) => error);
      expect(InvalidInputError.isInstance(chat)).toBe(true);
      expect((chat as InvalidInputError).reason).toMatch(/no chat template/);
    });
  } else {
    it('formats chat messages with the model’s chat template and a generation prompt', async () => {
      const chat: ChatMessage[] = [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Name a colour.' },
      ];
      const rendered = tokenizer.apply_chat_template(chat as never, { tokenize: false, add_generation_prompt: true }) as string;
      expect(rendered).toBe('<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n');
      const fromChat = await generate(chat, { maxNewTokens: 10 });
      const fromText = await generate(rendered, { maxNewTokens: 10 });
      expect(fromChat.output).toEqual(fromText.output);
      const withoutPrompt = await generate(rendered.slice(0, -'<|im_start|>assistant\n'.length), { maxNewTokens: 10 });
      expect(withoutPrompt.output.tokens).not.toEqual(fromChat.output.tokens);
    });
  }
});
