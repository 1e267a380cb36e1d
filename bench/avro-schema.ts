/**
 * The Avro schema of the benchmark's track events (bench/events.ts), as a Segment user would write it:
 * nested records, optional fields as unions with null, timestamps as `timestamp-millis`, a map.
 */
const optional = (type: unknown): { type: unknown[]; default: null } => ({ type: ['null', type], default: null })
const timestamp = { type: 'long', logicalType: 'timestamp-millis' }

export const TRACK_EVENT_AVRO = {
  type: 'record',
  name: 'TrackEvent',
  namespace: 'bench',
  fields: [
    { name: 'type', type: 'string' },
    { name: 'event', type: 'string' },
    { name: 'messageId', type: 'string' },
    { name: 'userId', ...optional('string') },
    { name: 'anonymousId', ...optional('string') },
    { name: 'timestamp', type: timestamp },
    { name: 'sentAt', ...optional(timestamp) },
    { name: 'receivedAt', ...optional(timestamp) },
    { name: 'originalTimestamp', ...optional(timestamp) },
    {
      name: 'properties',
      type: {
        type: 'record',
        name: 'OrderProperties',
        fields: [
          { name: 'order_id', type: 'string' },
          { name: 'revenue', type: 'double' },
          { name: 'currency', type: 'string' },
          { name: 'coupon', ...optional('string') },
          {
            name: 'products',
            type: {
              type: 'array',
              items: {
                type: 'record',
                name: 'Product',
                fields: [
                  { name: 'product_id', type: 'string' },
                  { name: 'sku', ...optional('string') },
                  { name: 'name', ...optional('string') },
                  { name: 'price', ...optional('double') },
                  { name: 'quantity', ...optional('int') },
                  { name: 'category', ...optional('string') }
                ]
              }
            }
          }
        ]
      }
    },
    {
      name: 'context',
      type: {
        type: 'record',
        name: 'Context',
        fields: [
          { name: 'ip', type: 'string' },
          { name: 'locale', type: 'string' },
          { name: 'timezone', type: 'string' },
          {
            name: 'library',
            type: {
              type: 'record',
              name: 'Library',
              fields: [
                { name: 'name', type: 'string' },
                { name: 'version', type: 'string' }
              ]
            }
          },
          {
            name: 'location',
            type: {
              type: 'record',
              name: 'Location',
              fields: [
                { name: 'city', type: 'string' },
                { name: 'country', type: 'string' }
              ]
            }
          },
          {
            name: 'page',
            type: {
              type: 'record',
              name: 'Page',
              fields: ['path', 'referrer', 'title', 'url'].map((name) => ({ name, type: 'string' }))
            }
          },
          { name: 'userAgent', type: 'string' }
        ]
      }
    },
    { name: 'integrations', type: { type: 'map', values: 'boolean' }, default: {} }
  ]
}
