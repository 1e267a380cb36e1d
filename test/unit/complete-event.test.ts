import { completeEvent } from '../../src/local/complete-event'

const receivedAt = new Date('2026-01-01T12:00:00.000Z')

describe('completing an event as Segment’s API does', () => {
  it('adds messageId, receivedAt and timestamp when the client sent neither timestamp nor sentAt', () => {
    const e = completeEvent({ type: 'track', event: 'E', userId: 'u' }, receivedAt) as unknown as Record<
      string,
      unknown
    >
    expect(e.messageId).toMatch(/^api-[0-9a-f-]{36}$/)
    expect(e).toMatchObject({ receivedAt: '2026-01-01T12:00:00.000Z', timestamp: '2026-01-01T12:00:00.000Z' })
    expect(e.sentAt).toBeUndefined()
    expect(e.originalTimestamp).toBeUndefined()
  })

  it('keeps the messageId and context (library included) the client sent, and drops writeKey', () => {
    const context = { library: { name: 'analytics-python', version: '2.4.0' }, ip: '10.0.0.1' }
    const e = completeEvent({ type: 'track', messageId: 'm-1', context, writeKey: 'secret-key' }, receivedAt)
    expect(e).toMatchObject({ messageId: 'm-1', context })
    expect(e).not.toHaveProperty('writeKey')
  })

  it('corrects the timestamp for the client clock skew: receivedAt - (sentAt - originalTimestamp)', () => {
    // The client clock is one hour ahead; the event happened 10 s before it was sent.
    const e = completeEvent(
      { type: 'track', timestamp: '2026-01-01T13:00:00.000Z', sentAt: '2026-01-01T13:00:10.000Z' },
      receivedAt
    ) as unknown as Record<string, unknown>
    expect(e).toMatchObject({
      originalTimestamp: '2026-01-01T13:00:00.000Z',
      sentAt: '2026-01-01T13:00:10.000Z',
      timestamp: '2026-01-01T11:59:50.000Z',
      receivedAt: '2026-01-01T12:00:00.000Z'
    })
  })

  it("takes the batch's sentAt, and its context and integrations under the event's own", () => {
    const e = completeEvent(
      { type: 'track', timestamp: '2026-01-01T12:59:59.000+01:00', context: { app: 'a' }, integrations: { X: true } },
      receivedAt,
      {
        sentAt: '2026-01-01T12:00:01.000Z',
        context: { app: 'batch', os: 'linux' },
        integrations: { X: false, Y: true }
      }
    ) as unknown as Record<string, unknown>
    expect(e).toMatchObject({
      sentAt: '2026-01-01T12:00:01.000Z',
      originalTimestamp: '2026-01-01T11:59:59.000Z',
      timestamp: '2026-01-01T11:59:58.000Z',
      context: { app: 'a', os: 'linux' },
      integrations: { X: true, Y: true }
    })
  })

  it('keeps a timestamp as sent when there is no sentAt (historical imports)', () => {
    const e = completeEvent({ type: 'track', timestamp: '2020-05-01T00:00:00Z' }, receivedAt) as unknown as Record<
      string,
      unknown
    >
    expect(e).toMatchObject({ timestamp: '2020-05-01T00:00:00.000Z', originalTimestamp: '2020-05-01T00:00:00.000Z' })
  })
})
