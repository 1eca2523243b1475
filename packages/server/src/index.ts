export { bindWarnings, createServer, type AccelServer, type ServerEndpointOptions, type ServerLimits, type ServerLogger, type ServerOptions } from './create-server.js';
export { errorReply, HttpError, paramOf, type ErrorBody, type ErrorReply } from './errors.js';
export { capabilitySummary, openApiDocument, type DocumentedEndpoint } from './openapi.js';
export type { RemoteCallOptions, RemoteEndpoints, RemoteWorker } from './remote.js';
export {
  configPath,
  describeConfigIssues,
  endpointConfigSchema,
  parseEndpointConfig,
  parseServerConfig,
  serverConfigSchema,
  type EndpointConfig,
  type ServerConfig,
} from './config.js';
