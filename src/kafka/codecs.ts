/**
 * Registers the compression codecs kafkajs lacks (it ships only gzip) once, at module load, and
 * maps the `compression` field to kafkajs's CompressionTypes.
 * - snappy: kafkajs-snappy (pure JS, snappyjs)
 * - lz4: kafkajs-lz4 (the `lz4` package, a native addon compiled at install)
 * - zstd: @mongodb-js/zstd 1.x, whose binaries come as per-platform npm packages (no install script)
 */
import { CompressionCodecs, CompressionTypes } from 'kafkajs'
import SnappyCodec from 'kafkajs-snappy'
import LZ4Codec from 'kafkajs-lz4'
import * as zstd from '@mongodb-js/zstd'

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

const zstdCodec = () => ({
  compress: (encoder: { buffer: Buffer }) => zstd.compress(encoder.buffer, ZSTD_LEVEL),
  decompress: (buffer: Buffer) => zstd.decompress(buffer)
})

CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec
CompressionCodecs[CompressionTypes.ZSTD] = zstdCodec

/** The kafkajs compression type for a `compression` field value (undefined or unknown -> none). */
export function compressionType(value: string | undefined): CompressionTypes {
  return (value && TYPES[value as Compression]) || CompressionTypes.None
}
