/**
 * The gateway's memory of acknowledged messageIds (src/local/acknowledged-ids.ts) and how the
 * subscription engine uses it (src/local/subscriptions.ts, with a stand-in destination): a repeat goes
 * only to the subscriptions that have not acknowledged it, and the others answer from memory.
 */
import type { Destination, JSONObject, SegmentEvent } from '@segment/actions-core'
import { AcknowledgedIds, dedupWindow, DEFAULT_DEDUP_WINDOW } from '../../src/local/acknowledged-ids'
import type { ConfigFile } from '../../src/local/config-file'
import { runBatch, runEvent, type Acknowledged } from '../../src/local/subscriptions'

describe('AcknowledgedIds', () => {
  it('remembers per write key and subscription, with what the subscription answered', () => {
    const ids = new AcknowledgedIds()
    ids.remember('web', 'a', 'm-1', { offset: '7' })
    expect(ids.get('web', 'a', 'm-1')).toEqual({ data: { offset: '7' } })
    expect(ids.get('web', 'b', 'm-1')).toBeUndefined()
    expect(ids.get('ios', 'a', 'm-1')).toBeUndefined()
    expect(ids.get('web', 'a', 'm-2')).toBeUndefined()
  })

  it('keeps at most maxIds, the least recently seen going first', () => {
    const ids = new AcknowledgedIds({ maxIds: 2, windowMs: 60_000 })
    for (const id of ['m-1', 'm-2', 'm-3']) ids.remember('web', 'a', id, null)
    expect(ids.size).toBe(2)
    expect(ids.get('web', 'a', 'm-1')).toBeUndefined()
    expect(ids.get('web', 'a', 'm-3')).toBeDefined()
  })

  it('forgets an id once its window has passed', () => {
    let now = 1_000
    const ids = new AcknowledgedIds({ maxIds: 10, windowMs: 5_000 }, () => now)
    ids.remember('web', 'a', 'm-1', null)
    now += 4_999
    expect(ids.get('web', 'a', 'm-1')).toBeDefined()
    now += 2
    expect(ids.get('web', 'a', 'm-1')).toBeUndefined()
  })

  it('maxIds 0 turns it off; the defaults are 1,000,000 ids and 24 h, windowSeconds in seconds', () => {
    const off = new AcknowledgedIds({ maxIds: 0, windowMs: 1000 })
    off.remember('web', 'a', 'm-1', null)
    expect(off.get('web', 'a', 'm-1')).toBeUndefined()
    expect(DEFAULT_DEDUP_WINDOW).toEqual({ maxIds: 1_000_000, windowMs: 86_400_000 })
    expect(dedupWindow(undefined)).toEqual(DEFAULT_DEDUP_WINDOW)
    expect(dedupWindow({ windowSeconds: 60 })).toEqual({ maxIds: 1_000_000, windowMs: 60_000 })
  })
})

describe('subscriptions with acknowledged events', () => {
  // A fresh config per call: the engine is cached per config object (with its destination).
  const config = () =>
    ({
      settings: {},
      subscriptions: ['a', 'b'].map((name) => ({ name, subscribe: 'type = "track"', mapping: {} }))
    }) as unknown as ConfigFile
  const event = (id: string) => ({ type: 'track', messageId: id }) as unknown as SegmentEvent

  /** Each subscription's calls (the messageIds it was given); every event succeeds. */
  function standIn() {
    const calls: Record<string, string[][]> = { a: [], b: [] }
    const nameOf = (settings: JSONObject) => (settings.subscriptions as { name: string }[])[0].name
    // An OAuth scheme keeps the engine on onEvent/onBatch (what this stand-in answers).
    const destination = {
      authentication: { scheme: 'oauth2' },
      onEvent: async (e: SegmentEvent, settings: JSONObject) => {
        calls[nameOf(settings)].push([e.messageId as string])
        return [{ data: { sent: e.messageId } }]
      },
      onBatch: async (events: SegmentEvent[], settings: JSONObject) => {
        calls[nameOf(settings)].push(events.map((e) => e.messageId as string))
        return [{ multistatus: events.map((e) => ({ status: 200, body: { sent: e.messageId } })) }]
      }
    } as unknown as Destination<unknown>
    return { destination, calls }
  }
  /** Subscription a acknowledged m-2 before; what is remembered is listed. */
  function memory() {
    const remembered: string[] = []
    const acknowledged: Acknowledged = {
      known: (subscription, e) =>
        subscription === 'a' && e.messageId === 'm-2' ? { data: { earlier: true } } : undefined,
      remember: (subscription, e) => void remembered.push(`${subscription}:${e.messageId}`)
    }
    return { acknowledged, remembered }
  }

  it('a batch: each subscription gets only the events it has not acknowledged; the others answer success', async () => {
    const { destination, calls } = standIn()
    const { acknowledged, remembered } = memory()
    const outcomes = await runBatch(destination, config(), ['m-1', 'm-2', 'm-3'].map(event), acknowledged)
    expect(calls).toEqual({ a: [['m-1', 'm-3']], b: [['m-1', 'm-2', 'm-3']] })
    expect(remembered).toEqual(['a:m-1', 'a:m-3', 'b:m-1', 'b:m-2', 'b:m-3'])
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent'])
    expect(outcomes[1].deliveries).toEqual([
      { subscription: 'a', ok: true, status: 200, data: { earlier: true }, repeat: true },
      expect.objectContaining({ subscription: 'b', ok: true, status: 200 })
    ])
    expect(outcomes[2].deliveries[0]).toMatchObject({ subscription: 'a', ok: true })
    expect(outcomes[2].deliveries[0].repeat).toBeUndefined()
  })

  it('one event: sent only to the subscriptions that have not acknowledged it', async () => {
    const { destination, calls } = standIn()
    const { acknowledged, remembered } = memory()
    const outcome = await runEvent(destination, config(), event('m-2'), acknowledged)
    expect(calls).toEqual({ a: [], b: [['m-2']] })
    expect(remembered).toEqual(['b:m-2'])
    expect(outcome.deliveries.map((d) => [d.subscription, d.ok, d.repeat])).toEqual([
      ['a', true, true],
      ['b', true, undefined]
    ])
  })
})
