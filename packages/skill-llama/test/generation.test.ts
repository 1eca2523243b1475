import { createCpuBackend } from '@accel/backend-cpu';
import { AbortedError, createAccel, InvalidInputError, type Accel } from '@accel/core';
import type { ChatMessage } from '@accel/transformers-kit';
import { collectStream, decoderGenerationTests, loadForgedDecoder, referenceGreedyTokens } from '@accel/testkit';
import { AutoModelForCausalLM, AutoTokenizer, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaSkill, type LlamaOptions } from '../src/index.js';

const modelRoot = new URL('../../../.cache/models/tiny', import.meta.url).pathname;

const families = [
  { id: 'Xenova/opt-125m', family: 'OPT (learned positions from the attention mask, offset 2)', endOfSequence: 2, contextLength: 128 },
  { id: 'HuggingFaceTB/SmolLM2-135M-Instruct', family: 'LLaMA (GQA, RoPE from position_ids, chat template)', endOfSequence: 2, contextLength: 256 },
];

describe.each(families)('llama skill on a forged $family', ({ id, endOfSequence, contextLength }) => {
  let directory = '';
  let accel: Accel;
  let tokenizer: PreTrainedTokenizer;
  let reference: PreTrainedModel;
  const generate = (input: string | ChatMessage[], options: LlamaOptions = {}) => accel.infer(llamaSkill, input, options);

  beforeAll(async () => {
    ({ directory, accel, tokenizer, reference } = await loadForgedDecoder({
      id,
      modelRoot,
      skill: llamaSkill,
      endpoint: { id: 'llama' },
      tokenizer: AutoTokenizer,
      model: AutoModelForCausalLM,
      // Xenova/opt-125m's export names the decoder decoder_model_merged; transformers.js is told so, as its users must be.
      ...(id === 'Xenova/opt-125m' ? { modelOptions: { model_file_name: 'decoder_model_merged' } } : {}),
    }));
  });
  afterAll(() => accel.dispose());

  decoderGenerationTests(() => ({
    generate,
    stream: (prompt, options) => accel.stream(llamaSkill, prompt, options),
    greedyWithoutCache: (prompt, newTokens) => referenceGreedyTokens({ model: reference, tokenizer, endOfSequence }, prompt, newTokens),
    decode: (tokens) => tokenizer.decode([...tokens], { skip_special_tokens: true }),
  }));

  it('streams pieces that add up to the text, with tokens per second in the provenance', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { pieces, result } = await collectStream(accel.stream(llamaSkill, 'The history of science', { maxNewTokens: 24, temperature: 1.5, seed }));
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
    const onThread = await collectStream(inline.stream(llamaSkill, 'Once upon a time', options));
    const onWorker = await collectStream(accel.stream(llamaSkill, 'Once upon a time', options));
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
    expect(provenance.model.files).toContain(id === 'Xenova/opt-125m' ? 'onnx/decoder_model_merged_quantized.onnx' : 'onnx/model_quantized.onnx');
    await quantized.dispose();
  });

  if (id === 'Xenova/opt-125m') {
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

  it('reports usage (prompt tokens, generated tokens) for a prompt and, through capabilities.generate, for a chat', async () => {
    const prompt = 'The history of science';
    const { output, provenance } = await generate(prompt, { maxNewTokens: 5 });
    expect(provenance.usage).toEqual({ inputTokens: tokenizer.encode(prompt).length, outputTokens: output.tokens.length });
    const capability = llamaSkill.capabilities!.generate!;
    const chat: ChatMessage[] = [{ role: 'user', content: 'hello there' }];
    const request = capability.request({ prompt: chat, maxNewTokens: 5 });
    expect(request).toEqual({ input: chat, options: { maxNewTokens: 5 } });
    const answered = accel.infer(llamaSkill, request.input, request.options);
    if (tokenizer.chat_template === null || tokenizer.chat_template === undefined) {
      await expect(answered).rejects.toSatisfy(InvalidInputError.isInstance);
    } else {
      const result = await answered;
      const templated = tokenizer.apply_chat_template(chat, { add_generation_prompt: true, tokenize: true, return_tensor: false, return_dict: false }) as number[];
      expect(result.provenance.usage).toEqual({ inputTokens: templated.length, outputTokens: result.output.tokens.length });
      expect(capability.result(result.output)).toEqual({ text: result.output.text, stopReason: result.output.stopReason });
    }
  });
});
