/**
 * Registers the compression codecs kafkajs lacks (it ships only gzip) once, at module load, and
 * maps the `compression` field to kafkajs's CompressionTypes.
 * - snappy: kafkajs-snappy (pure JS, snappyjs)
 * - lz4: lz4-napi (LZ4 frames, as Kafka expects) and zstd: @mongodb-js/zstd 1.x: Node-API addons whose
 *   binaries come as per-platform npm packages, so they load on every Node version without a build at
 *   install (the `lz4` addon of kafkajs-lz4 was compiled for one Node version and failed on Node 24)
 */
import { CompressionCodecs, CompressionTypes } from 'kafkajs'
import SnappyCodec from 'kafkajs-snappy'
import * as zstd from '@mongodb-js/zstd'
import * as lz4 from 'lz4-napi'

export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
export type Compression = (typeof COMPRESSIONS)[number]

const TYPES: Record<Compression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD
}

/** zstd level 3 is the library's default: a good ratio at a small CPU cost. */
const ZSTD_LEVEL = 3

const lz4Codec = () => ({
  compress: (encoder: { buffer: Buffer }) => lz4.compressFrame(encoder.buffer),
  decompress: (buffer: Buffer) => lz4.decompressFrame(buffer)
})

const zstdCodec = () => ({
  compress: (encoder: { buffer: Buffer }) => zstd.compress(encoder.buffer, ZSTD_LEVEL),
  decompress: (buffer: Buffer) => zstd.decompress(buffer)
})

CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
CompressionCodecs[CompressionTypes.LZ4] = lz4Codec
CompressionCodecs[CompressionTypes.ZSTD] = zstdCodec

/** The kafkajs compression type for a `compression` field value (undefined or unknown -> none). */
export function compressionType(value: string | undefined): CompressionTypes {
  return (value && TYPES[value as Compression]) || CompressionTypes.None
}
