import { checkBatch, checkCall, eventProblem } from '../../src/local/tracking-schemas'

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

  it('checks a batch item by item and names the item; one bad item does not fail the batch', () => {
    const body = {
      batch: [
        { type: 'track', event: 'E', userId: 'u' },
        { type: 'group', userId: 'u' },
        { type: 'page' },
        { type: 'track', event: 'E', userId: { a: 1 } },
        'not an event'
      ],
      sentAt: '2026-01-01T00:00:00Z'
    }
    expect(checkBatch(body).batch).toHaveLength(5)
    expect(body.batch.map((e, i) => eventProblem(e, `batch[${i}]`))).toEqual([
      undefined,
      'batch[1].groupId is required',
      'batch[2]: userId or anonymousId is required',
      'batch[3].userId must be string or number or null',
      'batch[4] must be object'
    ])
    expect(() => checkBatch({})).toThrow(/batch is required/)
    expect(() => checkBatch({ batch: [], sentAt: 1 })).toThrow(
      /batch must NOT have fewer than 1 items; sentAt must be string or null/
    )
  })
})
