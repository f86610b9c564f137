export { eventually, type EventuallyOptions } from './eventually';
export { createRandom, type SeededRandom } from './random';
export { SimNetwork, type SimPeer } from './network';
export {
  gradientPng,
  id3v2,
  taggedFlac,
  taggedMp3,
  wavWithInfo,
  type MediaTags,
} from './tagged-media';
