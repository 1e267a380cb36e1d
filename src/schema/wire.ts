/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then the
 * payload. Protobuf puts the message indexes between them: the path from the file's top-level messages
 * to the encoded one, as a count and then the indexes, each a zigzag varint; the common `[0]` (the
 * first top-level message) is written as the single byte 0.
 */

/** The bytes before the payload for schema `id` (and, for Protobuf, the message `indexes`). */
export function wireHeader(id: number, indexes?: readonly number[]): Buffer {
  const prefix = Buffer.alloc(5)
  prefix.writeUInt8(0, 0)
  prefix.writeUInt32BE(id, 1)
  if (!indexes) return prefix
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.concat([prefix, Buffer.of(0)])
  const bytes: number[] = []
  zigzagVarint(indexes.length, bytes)
  for (const index of indexes) zigzagVarint(index, bytes)
  return Buffer.concat([prefix, Buffer.from(bytes)])
}

function zigzagVarint(value: number, out: number[]): void {
  let n = value >= 0 ? value * 2 : -value * 2 - 1
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
}

/** Header and payload in one buffer (one allocation). */
export function frame(header: Buffer, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(header.length + payload.length)
  header.copy(out, 0)
  out.set(payload, header.length)
  return out
}

/** The schema id and the payload of a framed record (tests, and reading our own output). */
export function unframe(data: Buffer): { id: number; payload: Buffer } {
  if (data.length < 5 || data[0] !== 0) throw new Error('not in the Confluent wire format (magic byte 0)')
  return { id: data.readUInt32BE(1), payload: data.subarray(5) }
}
