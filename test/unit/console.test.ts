/**
 * The console's pure parts: the partition a dry run predicts (the producer's rule), records decoded for
 * display (JSON, text keys, Avro and Protobuf bytes in the wire format through a registry client), and
 * the console's files served from the package.
 */
import * as avro from 'avsc'
import * as protobuf from 'protobufjs'
import { keyPartition, predictPartition } from '../../src/kafka/partitioner'
import { consoleFiles } from '../../src/local/console-routes'
import type { RegistryClients } from '../../src/schema/clients'
import { decodeForDisplay } from '../../src/schema/decode'
import type { SchemaRecord } from '../../src/schema/registry-api'
import { frame, wireHeader } from '../../src/schema/wire'

const registry = { url: 'http://registry.invalid' }

function clientsWith(records: Record<number, SchemaRecord>): RegistryClients {
  const client = {
    byIdentifier: async (id: number) => records[id],
    references: async () => []
  }
  return { get: () => ({ client }) } as unknown as RegistryClients
}

describe('predictPartition', () => {
  it('an explicit partition, else the key hashed as the producer does, else none (round robin at send)', () => {
    expect(predictPartition({ key: 'user-1', partition: 5 }, 6)).toBe(5)
    expect(predictPartition({ key: 'user-1' }, 6)).toBe(keyPartition('user-1', 6))
    expect(predictPartition({}, 6)).toBeUndefined()
  })
})

describe('decodeForDisplay', () => {
  it('JSON values, text keys, and nothing', async () => {
    expect(await decodeForDisplay(undefined, '{"a":1}')).toEqual({ format: 'json', value: { a: 1 } })
    expect(await decodeForDisplay(undefined, Buffer.from('42'), true)).toEqual({ format: 'text', value: '42' })
    expect(await decodeForDisplay(undefined, 'not json')).toEqual({ format: 'text', value: 'not json' })
    expect(await decodeForDisplay(undefined, null)).toEqual({ format: 'none', value: null })
  })

  it('Avro bytes in the wire format, by their schema id', async () => {
    const schema = {
      type: 'record',
      name: 'Order',
      fields: [
        { name: 'total', type: 'double' },
        { name: 'coupon', type: ['null', 'string'] }
      ]
    }
    const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: true })
    const bytes = frame(wireHeader(7), type.toBuffer({ total: 3.5, coupon: { string: 'SPRING' } }))
    const clients = clientsWith({ 7: { id: 7, schema: JSON.stringify(schema), schemaType: 'AVRO', references: [] } })
    expect(await decodeForDisplay(registry, bytes, false, clients)).toEqual({
      format: 'avro',
      schemaId: 7,
      value: { total: 3.5, coupon: { string: 'SPRING' } }
    })
  })

  it('Protobuf bytes with their message indexes', async () => {
    const text =
      'syntax = "proto3"; package shop; message A { string a = 1; } message Order { string id = 1; int64 n = 2; }'
    const Order = protobuf.parse(text).root.lookupType('shop.Order')
    const payload = Order.encode(Order.fromObject({ id: 'o-1', n: 9 })).finish()
    const bytes = frame(wireHeader(8, [1]), payload)
    const clients = clientsWith({ 8: { id: 8, schema: text, schemaType: 'PROTOBUF', references: [] } })
    expect(await decodeForDisplay(registry, bytes, false, clients)).toEqual({
      format: 'protobuf',
      schemaId: 8,
      value: { id: 'o-1', n: '9' }
    })
  })

  it('says why bytes could not be decoded, without throwing', async () => {
    const clients = clientsWith({ 9: { id: 9, schema: '{"type":"string"}', schemaType: 'AVRO', references: [] } })
    const decoded = await decodeForDisplay(registry, frame(wireHeader(9), Buffer.from([0x99])), false, clients)
    expect(decoded).toMatchObject({ format: 'avro', schemaId: 9, error: expect.any(String) })
  })
})

describe('consoleFiles', () => {
  it('serves the page, its modules and stylesheet from the package', () => {
    const files = consoleFiles()
    expect([...files.keys()].sort()).toEqual(
      expect.arrayContaining(['index.html', 'app.js', 'api.js', 'dom.js', 'console.css', 'pages/playground.js'])
    )
    expect(files.get('app.js')?.type).toBe('text/javascript; charset=utf-8')
    // Nothing from elsewhere: no absolute URL in any file.
    for (const [name, { body }] of files)
      expect({ name, external: /(src|href)="https?:/.test(body) }).toEqual({ name, external: false })
  })
})
