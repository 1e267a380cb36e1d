/** What every format's compiled schema offers the serializer. */
export interface CompiledSchema {
  /** The payload bytes of one value (without the wire-format header). Throws EncodeError when it does not fit. */
  encode(value: unknown): Uint8Array
  /** The same, written after `header` into one new buffer (saves a copy where the library allows it). */
  encodeFramed?(header: Buffer, value: unknown): Buffer
  /** The record / message / title name, for the `record` and `topic-record` subject strategies. */
  recordName?: string
  /** For messages: `Avro com.example.Order`, `Protobuf demo.Order`, `JSON Schema Order`. */
  label: string
  /** Protobuf only: the path of the encoded message in the schema file (the Confluent message indexes). */
  messageIndexes?: number[]
}
