/**
 * The ajv schemas of the server's request bodies, compiled once at load. A failure is turned into a 400
 * naming the field by http-io.ts's `check`.
 */
import Ajv from 'ajv'

/** Most events one request may carry (one batch). */
export const MAX_EVENTS_PER_REQUEST = 10000

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true })
const object = { type: 'object' } as const
const eventSchema = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', minLength: 1 } }
} as const

export const requestSchemas = {
  authenticate: ajv.compile(object),
  action: ajv.compile({
    type: 'object',
    required: ['payload'],
    additionalProperties: false,
    properties: {
      payload: { type: ['object', 'array'], items: object, minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST },
      settings: object,
      mapping: object,
      auth: object,
      audienceSettings: object,
      features: object
    }
  }),
  dynamicField: ajv.compile({
    type: 'object',
    additionalProperties: false,
    properties: {
      settings: object,
      payload: object,
      query: { type: 'string' },
      page: { type: ['string', 'number'] },
      auth: object,
      audienceSettings: object
    }
  }),
  events: ajv.compile({
    ...eventSchema,
    type: ['object', 'array'],
    items: eventSchema,
    minItems: 1,
    maxItems: MAX_EVENTS_PER_REQUEST
  })
}
