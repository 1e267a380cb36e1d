import { Coalescer } from '../../src/send/coalesce'

/** A fake send whose calls are answered by the test, one call at a time. */
function fakeSend() {
  const calls: { items: string[]; answer: (outcomes: string[]) => void; fail: (e: Error) => void }[] = []
  const send = (items: string[]) =>
    new Promise<string[]>((resolve, reject) => calls.push({ items, answer: resolve, fail: reject }))
  return { calls, send, ok: (i: number) => calls[i].answer(calls[i].items.map((x) => `sent:${x}`)) }
}

const flush = () => new Promise((resolve) => setImmediate(resolve))
const owner = {}

describe('Coalescer', () => {
  it('a call to an idle lane is sent at once, alone', async () => {
    const c = new Coalescer<string, string>()
    const f = fakeSend()
    const result = c.submit(owner, 't', ['a'], f.send)
    expect(f.calls.map((x) => x.items)).toEqual([['a']])
    f.ok(0)
    await expect(result).resolves.toEqual(['sent:a'])
  })

  it('calls arriving while a send is in flight go together in the next send, in arrival order', async () => {
    const c = new Coalescer<string, string>()
    const f = fakeSend()
    const first = c.submit(owner, 't', ['a'], f.send)
    const later = [
      c.submit(owner, 't', ['b'], f.send),
      c.submit(owner, 't', ['c1', 'c2'], f.send),
      c.submit(owner, 't', ['d'], f.send)
    ]
    await flush()
    expect(f.calls).toHaveLength(1)
    f.ok(0)
    await expect(first).resolves.toEqual(['sent:a'])
    await flush()
    expect(f.calls.map((x) => x.items)).toEqual([['a'], ['b', 'c1', 'c2', 'd']])
    f.ok(1)
    expect(await Promise.all(later)).toEqual([['sent:b'], ['sent:c1', 'sent:c2'], ['sent:d']])
  })

  it('each caller gets its own outcome: one failed item fails only its caller', async () => {
    const c = new Coalescer<string, string>()
    const f = fakeSend()
    void c.submit(owner, 't', ['a'], f.send)
    const later = ['b', 'bad', 'c'].map((x) => c.submit(owner, 't', [x], f.send))
    f.ok(0)
    await flush()
    f.calls[1].answer(['sent:b', 'error:bad', 'sent:c'])
    expect(await Promise.all(later)).toEqual([['sent:b'], ['error:bad'], ['sent:c']])
  })

  it('other lanes and other owners are not held up', () => {
    const c = new Coalescer<string, string>()
    const f = fakeSend()
    void c.submit(owner, 't', ['a'], f.send)
    void c.submit(owner, 'u', ['b'], f.send)
    void c.submit({}, 't', ['c'], f.send)
    expect(f.calls.map((x) => x.items)).toEqual([['a'], ['b'], ['c']])
  })

  it('a send that throws rejects the callers of that send only; the next send goes ahead', async () => {
    const c = new Coalescer<string, string>()
    const f = fakeSend()
    const first = c.submit(owner, 't', ['a'], f.send)
    const second = c.submit(owner, 't', ['b'], f.send)
    f.calls[0].fail(new Error('boom'))
    await expect(first).rejects.toThrow('boom')
    await flush()
    f.ok(1)
    await expect(second).resolves.toEqual(['sent:b'])
  })

  it('a send that answers the wrong number of outcomes rejects its callers', async () => {
    const c = new Coalescer<string, string>()
    const f = fakeSend()
    const result = c.submit(owner, 't', ['a', 'b'], f.send)
    f.calls[0].answer(['sent:a'])
    await expect(result).rejects.toThrow('1 outcomes for 2 items')
  })

  it('a lane is idle again once its queue is empty: the next call is sent at once', async () => {
    const c = new Coalescer<string, string>()
    const f = fakeSend()
    const first = c.submit(owner, 't', ['a'], f.send)
    f.ok(0)
    await first
    void c.submit(owner, 't', ['b'], f.send)
    expect(f.calls).toHaveLength(2)
  })

  it('the send of the first waiting caller sends for all of them', async () => {
    const c = new Coalescer<string, string>()
    const f = fakeSend()
    const g = fakeSend()
    void c.submit(owner, 't', ['a'], f.send)
    const later = [c.submit(owner, 't', ['b'], g.send), c.submit(owner, 't', ['c'], f.send)]
    f.ok(0)
    await flush()
    expect(g.calls.map((x) => x.items)).toEqual([['b', 'c']])
    g.ok(0)
    expect(await Promise.all(later)).toEqual([['sent:b'], ['sent:c']])
  })
})
