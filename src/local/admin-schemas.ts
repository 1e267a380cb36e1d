/**
 * The ajv schemas of the console's admin routes (compiled once at load); http-io.ts's `check` turns a
 * failure into a 400 naming the field.
 */
import Ajv from 'ajv'

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true })
const event = { type: 'object', required: ['type'], properties: { type: { type: 'string', minLength: 1 } } } as const
/** Kafka's own limits for a topic name. */
const topicName = { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' } as const
const offsetRef = {
  type: 'object',
  additionalProperties: false,
  required: ['partition', 'offset'],
  properties: { partition: { type: 'integer', minimum: 0 }, offset: { type: 'string', pattern: '^[0-9]{1,19}$' } }
} as const

export const adminSchemas = {
  event: ajv.compile({ type: 'object', additionalProperties: false, required: ['event'], properties: { event } }),
  createTopic: ajv.compile({
    type: 'object',
    additionalProperties: false,
    required: ['topic', 'partitions', 'replicationFactor'],
    properties: {
      topic: topicName,
      partitions: { type: 'integer', minimum: 1, maximum: 10000 },
      replicationFactor: { type: 'integer', minimum: 1, maximum: 32 },
      minInsyncReplicas: { type: 'integer', minimum: 1, maximum: 32 }
    }
  }),
  replay: ajv.compile({
    type: 'object',
    additionalProperties: false,
    properties: {
      records: { type: 'array', minItems: 1, maxItems: 1000, items: offsetRef },
      code: { type: 'string', minLength: 1, maxLength: 200 }
    },
    oneOf: [{ required: ['records'] }, { required: ['code'] }]
  })
}

export { topicName }
