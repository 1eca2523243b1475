export { startFakeHub } from './fake-hub.js';
export type { FakeHub, FakeHubFaults, FakeHubOptions, FakeHubRequest, FakeRepo } from './fake-hub.js';
export { encodeCar, startFakeGateway, subDagCars, type FakeGateway, type FakeGatewayOptions, type FakeGatewayRequest } from './fake-gateway.js';
