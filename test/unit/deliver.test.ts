import { chunk } from '../../src/send/deliver'
import { buildRecord, type BuiltRecord } from '../../src/records'

const record = (bytes: number): BuiltRecord => ({ ...buildRecord({ payload: {} }), size: bytes })

describe('chunk', () => {
  it('keeps the order and splits on bytes', () => {
    const records = [40, 40, 40, 10, 90, 5].map(record)
    expect(chunk(records, 100, 1000).map((c) => c.map((r) => r.size))).toEqual([
      [40, 40],
      [40, 10],
      [90, 5]
    ])
  })

  it('splits on count', () => {
    expect(chunk([1, 1, 1, 1, 1].map(record), 1000, 2).map((c) => c.length)).toEqual([2, 2, 1])
  })

  it('a record alone at the limit is a chunk of its own', () => {
    expect(chunk([100, 100].map(record), 100, 10).map((c) => c.length)).toEqual([1, 1])
  })

  it('no records, no chunks', () => {
    expect(chunk([], 100, 10)).toEqual([])
  })
})
