export { eventually, type EventuallyOptions } from './eventually';
export { createRandom, type SeededRandom } from './random';
