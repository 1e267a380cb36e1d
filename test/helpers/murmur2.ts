/**
 * A reference murmur2 written from the Kafka Java client (org.apache.kafka.common.utils.Utils#murmur2)
 * with 32-bit integer arithmetic (Math.imul), independent of kafkajs's Long-based implementation,
 * and the Java client's key -> partition rule (toPositive(murmur2(key)) % numPartitions).
 */
export function javaMurmur2(data: Buffer): number {
  const length = data.length
  const m = 0x5bd1e995
  let h = (0x9747b28c ^ length) | 0
  const length4 = length >>> 2
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4
    let k =
      (data[i4] & 0xff) | ((data[i4 + 1] & 0xff) << 8) | ((data[i4 + 2] & 0xff) << 16) | ((data[i4 + 3] & 0xff) << 24)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m)
    h ^= k
  }
  // Java's switch falls through: 3 trailing bytes mix all three, 2 mix two, 1 mixes one.
  const tail = length & ~3
  const rest = length % 4
  if (rest >= 3) h ^= (data[tail + 2] & 0xff) << 16
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8
  if (rest >= 1) {
    h ^= data[tail] & 0xff
    h = Math.imul(h, m)
  }
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}

export function javaPartition(key: string, numPartitions: number): number {
  return (javaMurmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % numPartitions
}

/** Vectors from the Kafka Java client's own murmur2 test (UtilsTest#testMurmur2). */
export const JAVA_MURMUR2_VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107]
]
