import { checkBatch, checkCall } from '../../src/local/tracking-schemas'

describe('the tracking API request checks', () => {
  it('takes each call type with what Segment requires, nulls for what the SDK was not given', () => {
    expect(checkCall('track', { userId: 'u', event: 'E', anonymousId: null })).toMatchObject({ type: 'track' })
    expect(checkCall('identify', { anonymousId: 'a', traits: {} })).toMatchObject({ type: 'identify' })
    expect(checkCall('page', { userId: 7, name: null, category: null })).toMatchObject({ type: 'page' })
    expect(checkCall('screen', { userId: 'u' })).toMatchObject({ type: 'screen' })
    expect(checkCall('group', { userId: 'u', groupId: 'g' })).toMatchObject({ type: 'group' })
    expect(checkCall('alias', { userId: 'u', previousId: 'p' })).toMatchObject({ type: 'alias' })
  })

  it.each([
    ['track', { userId: 'u' }, 'event is required'],
    ['track', { event: 'E' }, 'body: userId or anonymousId is required'],
    ['track', { event: 'E', userId: '' }, 'body: userId or anonymousId is required'],
    ['group', { userId: 'u' }, 'groupId is required'],
    ['alias', { previousId: 'p' }, 'userId is required'],
    ['identify', { userId: 'u', traits: [] }, 'traits must be object or null'],
    ['identify', { userId: { a: 1 } }, 'userId must be string or number or null']
  ] as const)('%s %j -> 400 "%s"', (type, body, message) => {
    expect(() => checkCall(type, body)).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringContaining(message) })
    )
  })

  it('checks a batch item by item and names the item', () => {
    const ok = checkBatch({ batch: [{ type: 'track', event: 'E', userId: 'u' }], sentAt: '2026-01-01T00:00:00Z' })
    expect(ok.batch).toHaveLength(1)
    expect(() =>
      checkBatch({
        batch: [
          { type: 'track', event: 'E', userId: 'u' },
          { type: 'group', userId: 'u' }
        ]
      })
    ).toThrow(/batch\[1\]\.groupId is required/)
    expect(() => checkBatch({ batch: [{ type: 'page' }] })).toThrow(/batch\[0\]: userId or anonymousId is required/)
    expect(() => checkBatch({})).toThrow(/batch is required/)
  })
})
