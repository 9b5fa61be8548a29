export {
  createMsgpackCodec,
  type MsgpackCodecOptions,
  msgpackCodec,
} from './msgpack-codec.js';
