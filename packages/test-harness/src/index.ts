export { eventually, type EventuallyOptions } from './eventually';
export { createRandom, type SeededRandom } from './random';
export { SimNetwork, type SimPeer } from './network';
