/* global document, fetch, sessionStorage, FileReader, FormData, AbortController, TextDecoder, Headers */
// The playground of `accel serve`: a static page that calls the server's own API from this origin.
// It knows no skill by name: what each endpoint can do comes from the server (`/v1/models` and
// the `x-accel-capabilities` of its `/v1/accel/infer/{name}` operation in `/openapi.json`).

const keyStorage = 'accel-playground-api-key';
const $ = (id) => document.getElementById(id);

const state = {
  /** The entries of `/v1/models`, each with `capabilities` and `schema` from `/openapi.json`. */
  endpoints: [],
  /** The file(s) chosen or dropped: one File, or the frames of one video. */
  files: [],
  /** Aborts the request in flight. */
  controller: undefined,
};

/** An error the server answered in the OpenAI shape, or a failure to reach it. */
class ApiError extends Error {
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.type = error.type ?? null;
    this.code = error.code ?? null;
    this.param = error.param ?? null;
  }
}

function apiKey() {
  return $('api-key').value.trim();
}

/** Request headers: the key as a bearer token (never in a URL), plus `extra`. */
function authorized(extra = {}) {
  const headers = new Headers(extra);
  const key = apiKey();
  if (key !== '') headers.set('authorization', `Bearer ${key}`);
  return headers;
}

/** The server's error body as an ApiError; a body that is not the OpenAI shape keeps its text. */
async function errorOf(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body.error === 'object' && body.error !== null) return new ApiError(response.status, body.error);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, { message: text || response.statusText, type: null, code: null, param: null });
}

/** `fetch` of this server's API with the key; an answer other than 2xx throws its ApiError. */
async function call(path, init = {}) {
  const response = await fetch(path, { ...init, headers: authorized(init.headers) });
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** The endpoint name as a path: each segment encoded, `/` kept (the route takes names with slashes). */
function endpointPath(name) {
  return name.split('/').map(encodeURIComponent).join('/');
}

function pretty(value) {
  return JSON.stringify(value, null, 2);
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function setState(text) {
  $('state').textContent = text;
}

function clearResult() {
  show('error', false);
  $('output-text').textContent = '';
  $('output').textContent = '';
  $('provenance').textContent = '';
  $('provenance-source').textContent = '';
  $('timing-label').textContent = '';
  $('timing-queued').style.flexGrow = '0';
  $('timing-inference').style.flexGrow = '0';
}

function showError(error) {
  const fields = $('error-fields');
  fields.replaceChildren();
  if (error instanceof ApiError) {
    $('error-title').textContent = `${error.status} ${error.type ?? 'error'}`;
    $('error-message').textContent = error.message;
    for (const [name, value] of [
      ['status', error.status],
      ['type', error.type],
      ['code', error.code],
      ['param', error.param],
    ]) {
      if (value === null || value === undefined) continue;
      const term = document.createElement('dt');
      term.textContent = name;
      const detail = document.createElement('dd');
      detail.textContent = String(value);
      fields.append(term, detail);
    }
  } else {
    $('error-title').textContent = 'The request failed';
    $('error-message').textContent = error instanceof Error ? error.message : String(error);
  }
  show('error', true);
}

/** The timing bar and the provenance panel; `source` says where the provenance came from. */
function showProvenance(provenance, source) {
  $('provenance').textContent = pretty(provenance);
  $('provenance-source').textContent = source;
  const timings = provenance.timings ?? {};
  const queued = Number(timings.queuedMs ?? 0);
  const inference = Number(timings.inferenceMs ?? 0);
  $('timing-queued').style.flexGrow = String(queued);
  $('timing-inference').style.flexGrow = String(inference);
  $('timing-label').textContent = `queued ${queued.toFixed(1)} ms · inference ${inference.toFixed(1)} ms`;
}

/** Asks an OpenAI-shaped route (embeddings, classify, transcription) for accel's whole provenance in its JSON body. */
const fullProvenance = { 'x-accel-provenance': 'full' };

/** Shows an OpenAI-shaped body: the output without the `provenance` field it carries (that goes to the provenance panel). */
function showBody(body) {
  const { provenance, ...rest } = body;
  $('output').textContent = pretty(rest);
  showProvenance(provenance, '(from the response body)');
}

/** The ways to run an endpoint, from its skill's capabilities; the native route always. */
function actionsOf(endpoint) {
  const capabilities = endpoint.capabilities ?? {};
  const actions = [];
  if (capabilities.generate?.chat) actions.push({ id: 'chat', label: 'chat (streamed)', route: '/v1/chat/completions' });
  if (capabilities.generate?.completion) actions.push({ id: 'completion', label: 'completion (streamed)', route: '/v1/completions' });
  for (const modality of capabilities.embed?.modalities ?? []) actions.push({ id: 'embed', modality, label: `embed ${modality}`, route: '/v1/embeddings' });
  for (const modality of capabilities.classify?.modalities ?? []) {
    actions.push({ id: 'classify', modality, zeroShot: capabilities.classify.zeroShot, label: `classify ${modality}`, route: '/v1/classify' });
  }
  for (const task of capabilities.transcribe?.tasks ?? []) {
    actions.push({ id: task, label: task === 'translate' ? 'translate speech' : 'transcribe speech', route: task === 'translate' ? '/v1/audio/translations' : '/v1/audio/transcriptions' });
  }
  actions.push({ id: 'infer', label: 'any input (JSON)', route: `/v1/accel/infer/${endpoint.id}` });
  return actions;
}

function currentEndpoint() {
  return state.endpoints.find((endpoint) => endpoint.id === $('endpoint').value);
}

function currentAction() {
  const endpoint = currentEndpoint();
  return endpoint === undefined ? undefined : actionsOf(endpoint)[Number($('action').value)];
}

/** Which inputs the chosen action takes. */
function fitInputs() {
  const action = currentAction();
  const endpoint = currentEndpoint();
  if (action === undefined || endpoint === undefined) return;
  $('route').textContent = `POST ${action.route}`;
  const media = action.modality !== undefined && action.modality !== 'text';
  const audio = action.id === 'transcribe' || action.id === 'translate';
  show('text-input', action.modality === 'text' || action.id === 'chat' || action.id === 'completion');
  $('text-hint').textContent = action.id === 'chat' ? '(the user message)' : action.id === 'completion' ? '(the prompt)' : '(one input per line)';
  show('labels-input', action.zeroShot === true);
  show('file-input', media || audio);
  show('generate-input', action.id === 'chat' || action.id === 'completion');
  show('json-input', action.id === 'infer');
  const video = action.modality === 'video';
  $('file').hidden = video;
  $('folder').hidden = !video;
  $('file').accept = audio || action.modality === 'audio' ? 'audio/*' : action.modality === 'image' ? 'image/*' : '';
  $('drop-hint').textContent = video ? 'Drop the frames of a video (image files) here, or pick a folder' : 'Drop a file here, or';
  if (action.id === 'infer') $('schema').textContent = endpoint.schema === undefined ? '(not described)' : pretty(endpoint.schema);
}

function fillActions() {
  const endpoint = currentEndpoint();
  const select = $('action');
  select.replaceChildren();
  if (endpoint === undefined) return;
  const info = endpoint.accel ?? {};
  $('endpoint-info').textContent = `skill ${info.skill} · model ${info.model} · ${info.device} · ${info.state}${info.remote ? ' · remote' : ''}`;
  actionsOf(endpoint).forEach((action, index) => {
    const option = document.createElement('option');
    option.value = String(index);
    option.textContent = action.label;
    select.append(option);
  });
  select.disabled = false;
  fitInputs();
}

/** Loads the endpoints and what each can do; shows the server's error (a 401 without a key) readably. */
async function connect() {
  clearResult();
  setState('loading endpoints…');
  try {
    const [models, openapi] = await Promise.all([call('/v1/models').then((response) => response.json()), call('/openapi.json').then((response) => response.json())]);
    state.endpoints = models.data.map((entry) => {
      const operation = openapi.paths?.[`/v1/accel/infer/${entry.id}`]?.post;
      const schema = operation?.requestBody?.content?.['application/json']?.schema;
      return { ...entry, capabilities: operation?.['x-accel-capabilities'] ?? {}, schema };
    });
    const select = $('endpoint');
    const previous = select.value;
    select.replaceChildren();
    for (const endpoint of state.endpoints) {
      const option = document.createElement('option');
      option.value = endpoint.id;
      option.textContent = `${endpoint.id} (${endpoint.accel?.skill ?? endpoint.root})`;
      select.append(option);
    }
    if (state.endpoints.some((endpoint) => endpoint.id === previous)) select.value = previous;
    select.disabled = state.endpoints.length === 0;
    $('run').disabled = state.endpoints.length === 0;
    setState(state.endpoints.length === 0 ? 'the server serves no endpoint' : `${state.endpoints.length} endpoint(s)`);
    fillActions();
  } catch (error) {
    state.endpoints = [];
    $('endpoint').replaceChildren();
    $('action').replaceChildren();
    $('endpoint').disabled = true;
    $('action').disabled = true;
    $('run').disabled = true;
    setState('not connected');
    showError(error);
  }
}

function readAsDataUri(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function lines() {
  return $('text')
    .value.split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** `input` of an embeddings or classify body: texts, one data URI per file, or one video of frames. */
async function standardInput(action) {
  if (action.modality === 'text') {
    const texts = lines();
    if (texts.length === 0) throw new Error('enter some text first');
    return texts.length === 1 ? texts[0] : texts;
  }
  if (state.files.length === 0) throw new Error(action.modality === 'video' ? 'pick the frames of a video first' : `pick a${action.modality === 'image' ? 'n image' : 'n audio'} file first`);
  const uris = await Promise.all(state.files.map(readAsDataUri));
  return action.modality === 'video' ? [uris] : uris[0];
}

async function runJson(route, body, signal, extraHeaders = {}) {
  const response = await call(route, { method: 'POST', headers: { 'content-type': 'application/json', ...extraHeaders }, body: JSON.stringify(body), signal });
  return { response, body: await response.json() };
}

async function runEmbed(endpoint, action, signal) {
  const request = { model: endpoint.id, input: await standardInput(action), modality: action.modality, encoding_format: 'float' };
  const { body } = await runJson('/v1/embeddings', request, signal, fullProvenance);
  const first = body.data[0]?.embedding ?? [];
  $('output-text').textContent = `${body.data.length} embedding(s) of ${first.length} dimensions · ${body.usage?.prompt_tokens ?? 0} prompt tokens`;
  showBody(body);
}

async function runClassify(endpoint, action, signal) {
  const labels = $('labels')
    .value.split(',')
    .map((label) => label.trim())
    .filter((label) => label.length > 0);
  const request = { model: endpoint.id, input: await standardInput(action), modality: action.modality, ...(action.zeroShot ? { labels } : {}) };
  const { body } = await runJson('/v1/classify', request, signal, fullProvenance);
  $('output-text').textContent = body.data.map((scores) => scores.slice(0, 3).map(({ label, score }) => `${label} ${score.toFixed(3)}`).join(' · ')).join('\n');
  showBody(body);
}

async function runTranscribe(endpoint, action, signal) {
  const [file] = state.files;
  if (file === undefined) throw new Error('pick an audio file first');
  const form = new FormData();
  form.append('file', file, file.name);
  form.append('model', endpoint.id);
  form.append('response_format', 'json');
  const response = await call(action.route, { method: 'POST', headers: fullProvenance, body: form, signal });
  const body = await response.json();
  $('output-text').textContent = body.text;
  showBody(body);
}

async function runInfer(endpoint, signal) {
  let request;
  try {
    request = JSON.parse($('json').value);
  } catch (error) {
    throw new Error(`the body is not valid JSON: ${error.message}`, { cause: error });
  }
  const { body } = await runJson(`/v1/accel/infer/${endpointPath(endpoint.id)}`, request, signal);
  $('output').textContent = pretty(body.output);
  showProvenance(body.provenance, '(from the response body)');
}

/** Reads an SSE body event by event (`data:` lines), calling `onData` with each payload. */
async function readEvents(response, onData) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.search(/\r?\n\r?\n/);
    while (end !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data !== '' && onData(data) === false) return;
      end = buffer.search(/\r?\n\r?\n/);
    }
  }
}

async function runGenerate(endpoint, action, signal) {
  const text = $('text').value;
  if (text.trim() === '') throw new Error(action.id === 'chat' ? 'enter a message first' : 'enter a prompt first');
  const maxTokens = Number($('max-tokens').value);
  const request =
    action.id === 'chat'
      ? { model: endpoint.id, messages: [{ role: 'user', content: text }], max_tokens: maxTokens, stream: true }
      : { model: endpoint.id, prompt: text, max_tokens: maxTokens, stream: true };
  const response = await call(action.route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request), signal });
  const output = $('output-text');
  let pieces = 0;
  let finish = null;
  await readEvents(response, (data) => {
    if (data === '[DONE]') return false;
    const chunk = JSON.parse(data);
    if (chunk.error !== undefined) throw new ApiError(response.status, chunk.error);
    const choice = chunk.choices?.[0];
    const piece = action.id === 'chat' ? choice?.delta?.content : choice?.text;
    if (typeof piece === 'string' && piece.length > 0) {
      output.textContent += piece;
      pieces += 1;
      setState(`streaming… ${pieces} piece(s)`);
    }
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (chunk.provenance !== undefined) showProvenance(chunk.provenance, '(from the last chunk)');
    return true;
  });
  $('output').textContent = pretty({ pieces, finish_reason: finish });
}

async function run() {
  const endpoint = currentEndpoint();
  const action = currentAction();
  if (endpoint === undefined || action === undefined) return;
  clearResult();
  const controller = new AbortController();
  state.controller = controller;
  $('run').disabled = true;
  $('stop').disabled = false;
  setState('running…');
  const startedAt = performance.now();
  try {
    if (action.id === 'chat' || action.id === 'completion') await runGenerate(endpoint, action, controller.signal);
    else if (action.id === 'embed') await runEmbed(endpoint, action, controller.signal);
    else if (action.id === 'classify') await runClassify(endpoint, action, controller.signal);
    else if (action.id === 'transcribe' || action.id === 'translate') await runTranscribe(endpoint, action, controller.signal);
    else await runInfer(endpoint, controller.signal);
    setState(`done in ${(performance.now() - startedAt).toFixed(0)} ms`);
  } catch (error) {
    if (controller.signal.aborted) {
      setState('stopped');
      if ($('provenance').textContent === '') $('provenance-source').textContent = '(none: the request was stopped before it finished)';
    }
    else {
      setState('failed');
      showError(error);
    }
  } finally {
    state.controller = undefined;
    $('run').disabled = false;
    $('stop').disabled = true;
  }
}

function chooseFiles(files) {
  const list = [...files].sort((a, b) => (a.webkitRelativePath || a.name).localeCompare(b.webkitRelativePath || b.name, undefined, { numeric: true }));
  const action = currentAction();
  state.files = action?.modality === 'video' ? list.filter((file) => file.type.startsWith('image/')) : list.slice(0, 1);
  $('file-info').textContent =
    state.files.length === 0 ? '' : action?.modality === 'video' ? `${state.files.length} frame(s), ${state.files[0].name} … ${state.files.at(-1).name}` : `${state.files[0].name} (${state.files[0].size} bytes)`;
}

/** The files of dropped entries, folders read through (a folder of video frames). */
async function droppedFiles(entries) {
  const files = [];
  const visit = async (entry) => {
    if (entry.isFile) {
      files.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
      return;
    }
    const reader = entry.createReader();
    // readEntries answers in batches until it answers none.
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await visit(child);
    }
  };
  for (const entry of entries) await visit(entry);
  return files;
}

function start() {
  $('api-key').value = sessionStorage.getItem(keyStorage) ?? '';
  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = apiKey();
    if (key === '') sessionStorage.removeItem(keyStorage);
    else sessionStorage.setItem(keyStorage, key);
    void connect();
  });
  $('endpoint').addEventListener('change', () => {
    state.files = [];
    $('file-info').textContent = '';
    fillActions();
  });
  $('action').addEventListener('change', fitInputs);
  $('file').addEventListener('change', () => chooseFiles($('file').files));
  $('folder').addEventListener('change', () => chooseFiles($('folder').files));
  const drop = $('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const entries = [...event.dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter((entry) => entry);
    if (entries.some((entry) => entry.isDirectory)) void droppedFiles(entries).then(chooseFiles, showError);
    else chooseFiles(event.dataTransfer.files);
  });
  $('run').addEventListener('click', () => void run());
  $('stop').addEventListener('click', () => state.controller?.abort());
  void connect();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
