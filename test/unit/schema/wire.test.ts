import { frame, unframe, wireHeader } from '../../../src/schema/wire'

test('magic byte 0 and the id as 4 bytes big-endian', () => {
  expect(wireHeader(258)).toEqual(Buffer.from([0, 0, 0, 1, 2]))
  const framed = frame(wireHeader(7), Buffer.from('x'))
  expect(unframe(framed)).toEqual({ id: 7, payload: Buffer.from('x') })
})

test('Protobuf message indexes: [0] as one zero byte, others as zigzag varints with their count', () => {
  expect(wireHeader(1, [0])).toEqual(Buffer.from([0, 0, 0, 0, 1, 0]))
  expect(wireHeader(1, [1])).toEqual(Buffer.from([0, 0, 0, 0, 1, 2, 2]))
  expect(wireHeader(1, [1, 0])).toEqual(Buffer.from([0, 0, 0, 0, 1, 4, 2, 0]))
  expect(wireHeader(1, [64])).toEqual(Buffer.from([0, 0, 0, 0, 1, 2, 0x80, 0x01]))
})

test('unframe rejects data without the magic byte', () => {
  expect(() => unframe(Buffer.from('{"a":1}'))).toThrow('magic byte')
})
