import destination, { destination as named } from '../../src/index'
import { DEFAULT_SUBSCRIPTION } from '../../src/default-subscription'

describe('the destination definition', () => {
  it('is the default and the named export, with a name actions-core can key schemas by', () => {
    expect(named).toBe(destination)
    expect(destination).toMatchObject({ name: 'Kafka', slug: 'actions-kafka', mode: 'cloud' })
    expect(destination.name).not.toMatch(/\s/)
    expect(destination.authentication?.scheme).toBe('custom')
  })

  it('offers an automatic preset on the send action for track, identify, page, screen and group', () => {
    expect(destination.presets).toEqual([
      expect.objectContaining({ type: 'automatic', partnerAction: 'send', subscribe: DEFAULT_SUBSCRIPTION })
    ])
    expect(destination.actions.send.defaultSubscription).toBe(
      'type = "track" or type = "identify" or type = "page" or type = "screen" or type = "group"'
    )
    const mapping = destination.presets?.[0].mapping ?? {}
    expect(mapping.payload).toEqual({ '@path': '$.' })
  })

  it('does not require settings the runtime may leave out and the destination defaults', () => {
    const fields = destination.authentication?.fields ?? {}
    expect(fields.brokers.required).toBe(true)
    expect(fields.clientId).toMatchObject({ default: 'segment-actions-kafka-producer' })
    expect(fields.clientId.required).toBeFalsy()
    expect(fields.mechanism).toMatchObject({ default: 'plain' })
    expect(fields.mechanism.required).toBeFalsy()
  })
})
