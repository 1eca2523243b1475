export { startFakeHub } from './fake-hub.js';
export type { FakeHub, FakeHubFaults, FakeHubOptions, FakeHubRequest, FakeRepo } from './fake-hub.js';
