import { Partitioners, type PartitionMetadata } from 'kafkajs'
import { keyPartition, murmur2, PartitionPlanner, trackingPartitioner } from '../../src/kafka/partitioner'
import { JAVA_MURMUR2_VECTORS, javaMurmur2, javaPartition } from '../helpers/murmur2'

const metadata = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0
  }))

const metadata6 = () => metadata(6)

const keys = [
  ...JAVA_MURMUR2_VECTORS.map(([k]) => k),
  'user-1',
  'user-2',
  'anonId1234',
  'é-ü-ß-中文-🙂',
  '',
  'x',
  'xy',
  'xyz',
  ...Array.from({ length: 200 }, (_, i) => `key-${i}-${'z'.repeat(i % 13)}`)
]

describe('key -> partition is the Java client’s murmur2', () => {
  it.each(JAVA_MURMUR2_VECTORS)('the reference murmur2 of %j is %d (Java vectors)', (key, expected) => {
    expect(javaMurmur2(Buffer.from(key))).toBe(expected)
  })

  it.each([1, 3, 6, 7, 12, 100])('kafkajs DefaultPartitioner agrees with the reference for %d partitions', (n) => {
    const choose = Partitioners.DefaultPartitioner()
    for (const key of keys.filter((k) => k !== '')) {
      const partition = choose({ topic: 't', partitionMetadata: metadata(n), message: { key, value: 'v' } })
      expect([key, partition]).toEqual([key, javaPartition(key, n)])
    }
  })

  it('the tracking partitioner keeps the choice on the message and records the partition count', () => {
    const counts = new Map<string, number>()
    const choose = trackingPartitioner(counts)()
    const message: { key: string; value: string; partition?: number } = { key: 'user-1', value: 'v' }
    const partition = choose({ topic: 't', partitionMetadata: metadata(6), message })
    expect(partition).toBe(javaPartition('user-1', 6))
    expect(message.partition).toBe(partition)
    expect(counts.get('t')).toBe(6)
  })

  it('records without a key are spread over the partitions', () => {
    const choose = trackingPartitioner(new Map())()
    const seen = new Set<number>()
    for (let i = 0; i < 60; i++)
      seen.add(choose({ topic: 't', partitionMetadata: metadata(6), message: { value: 'v' } }))
    expect(seen.size).toBe(6)
  })

  it('an explicit partition is kept even when out of range (the send action reports it)', () => {
    const counts = new Map<string, number>()
    const choose = trackingPartitioner(counts)()
    expect(choose({ topic: 't', partitionMetadata: metadata(3), message: { value: 'v', partition: 9 } })).toBe(9)
    expect(counts.get('t')).toBe(3)
  })

  it('the planner predicts the partition the producer’s partitioner then chooses', () => {
    const metadata = new Map<string, ReturnType<typeof metadata6>>()
    const choose = trackingPartitioner(new Map(), metadata)()
    const planner = new PartitionPlanner(metadata)
    const messages = (): { key?: string; value: string; partition?: number }[] => [
      { key: 'user-1', value: 'v' },
      { value: 'v' },
      { key: 'user-2', value: 'v', partition: 4 },
      { value: 'v' }
    ]
    expect(planner.plan('t', messages())).toBeUndefined()
    choose({ topic: 't', partitionMetadata: metadata6(), message: { key: 'x', value: 'v' } })
    const planned = messages()
    const predicted = planner.plan('t', planned) as number[]
    expect(predicted[0]).toBe(javaPartition('user-1', 6))
    expect(predicted[2]).toBe(4)
    expect(planned[1].partition).toBe(predicted[1])
    expect(new Set([predicted[1], predicted[3]]).size).toBe(2)
    for (const [i, message] of planned.entries())
      expect(choose({ topic: 't', partitionMetadata: metadata6(), message })).toBe(predicted[i])
  })
})

describe('our murmur2 (what the partitioner and planner use)', () => {
  it.each(JAVA_MURMUR2_VECTORS)('murmur2(%j) is %d (Java vectors)', (key, expected) => {
    expect(murmur2(key)).toBe(expected)
    expect(murmur2(Buffer.from(key))).toBe(expected)
  })

  it('agrees with the reference on every key length, multi-byte text and long keys', () => {
    const long = 'ключ-🙂-'.repeat(400)
    for (const key of [...keys, long, long.slice(0, 341), 'a'.repeat(1025)])
      expect([key.length, murmur2(key)]).toEqual([key.length, javaMurmur2(Buffer.from(key, 'utf8'))])
  })

  it.each([1, 3, 7, 100])('keyPartition matches kafkajs DefaultPartitioner for %d partitions', (n) => {
    const choose = Partitioners.DefaultPartitioner()
    for (const key of keys.filter((k) => k !== ''))
      expect(keyPartition(key, n)).toBe(
        choose({ topic: 't', partitionMetadata: metadata(n), message: { key, value: 'v' } })
      )
  })
})
