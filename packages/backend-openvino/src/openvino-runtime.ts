import type { OpenVinoAddon, OpenVinoCore } from './openvino-api.js';

/** openvino-node, loaded, with the one `Core` this backend shares between probe and sessions. */
export interface OpenVinoRuntime {
  readonly addon: OpenVinoAddon;
  readonly core: OpenVinoCore;
}
