import type { BackendV1 } from '../backend/v1/backend-v1.js';
import type { Dtype } from '../backend/v1/dtype.js';
import { modelFileForDtype } from '../backend/v1/dtype.js';
import type { InferenceSessionV1 } from '../backend/v1/inference-session-v1.js';
import { InvalidModelError } from '../errors/invalid-model-error.js';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import type { SkillLoadContext } from '../skill/v1/skill-load-context.js';
import type { ResolvedModel } from './resolved-model.js';
import { modelFileExists, modelFilePath, openSessionFile, readModelText } from './model-files.js';

export interface LoadContextOptions {
  readonly model: ResolvedModel;
  readonly backend: BackendV1;
  readonly device: string;
  readonly dtype: Dtype;
  readonly contextLength: number | undefined;
  /** Intra-op threads for each session; the backend's own budget applies when undefined. */
  readonly threads?: number | undefined;
  /** Open every session at load (see `SkillLoadContext.preload`). Default false. */
  readonly preload?: boolean | undefined;
}

/** A load context plus the list of files it loaded and the sessions it opened (both grow when a skill opens a session on demand). */
export interface TrackedLoadContext {
  readonly context: SkillLoadContext;
  readonly files: string[];
  readonly sessions: InferenceSessionV1[];
}


export function createLoadContext({ model, backend, device, dtype, contextLength, threads, preload = false }: LoadContextOptions): TrackedLoadContext {
  const files: string[] = [];
  const sessions: InferenceSessionV1[] = [];
  const context: SkillLoadContext = {
    model,
    backend: backend.name,
    device,
    dtype,
    contextLength,
    preload,
    async createSession(sessionNames) {
      // Alternatives: the first session name whose file the folder holds (see SkillV1.requiredFiles).
      const names = typeof sessionNames === 'string' ? [sessionNames] : sessionNames;
      let file: string | undefined;
      for (const name of names) {
        const candidate = modelFileForDtype(name, dtype);
        if (await modelFileExists(model, candidate)) {
          file = candidate;
          break;
        }
      }
      if (file === undefined) {
        const searched = names.map((name) => modelFilePath(model, modelFileForDtype(name, dtype)));
        throw new ModelNotFoundError({
          model: model.id,
          searched,
          hint: `No ${dtype} file for session "${names.join('" or "')}". Choose a dtype this model folder has, or export ${modelFileForDtype(names[0] ?? 'model', dtype)}.`,
        });
      }
      const opened = await openSessionFile(model, file);
      // The backend's own session; a skill that hands it to a library expecting another tensor
      // class adapts it itself (e.g. @accel/transformers-kit's withTransformersTensorOutputs).
      let session: InferenceSessionV1;
      try {
        session = await backend.doCreateSession({ file: opened.file, device, dtype, ...(threads === undefined ? {} : { threads }) });
      } finally {
        opened.release();
      }
      files.push(file);
      sessions.push(session);
      return session;
    },
    recordFile(relativePath) {
      if (!files.includes(relativePath)) files.push(relativePath);
    },
    async readJson<T>(relativePath: string): Promise<T> {
      const path = modelFilePath(model, relativePath);
      let text: string;
      try {
        text = await readModelText(model, relativePath);
      } catch {
        throw new ModelNotFoundError({ model: model.id, searched: [path], hint: `The model folder lacks ${relativePath}.` });
      }
      try {
        const value = JSON.parse(text) as T;
        if (!files.includes(relativePath)) files.push(relativePath);
        return value;
      } catch (error) {
        throw new InvalidModelError({ model: model.id, file: path, reason: 'not valid JSON', cause: error });
      }
    },
  };
  return { context, files, sessions };
}
