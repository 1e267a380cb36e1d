import { Admission } from '../../src/local/admission'

describe('admission', () => {
  it('counts events in flight and refuses beyond the limit with 429 and Retry-After', () => {
    const seen: number[] = []
    const a = new Admission(10, (n) => seen.push(n))
    const first = a.reserve(6)
    expect(a.inFlight).toBe(6)
    expect(() => a.reserve(5)).toThrow(expect.objectContaining({ status: 429, headers: { 'retry-after': '1' } }))
    const second = a.reserve(4)
    first()
    first() // releasing twice frees once
    expect(a.inFlight).toBe(4)
    second()
    expect(seen).toEqual([6, 10, 4, 0])
  })

  it('lets a request larger than the limit through when nothing else is in flight', () => {
    const a = new Admission(10)
    const release = a.reserve(50)
    expect(() => a.reserve(1)).toThrow(expect.objectContaining({ status: 429 }))
    release()
  })

  it('drain refuses new requests with 503 and resolves when those in progress are done', async () => {
    const a = new Admission(10)
    const leaveOne = a.enter()
    const leaveTwo = a.enter()
    let drained = false
    const draining = a.drain().then(() => (drained = true))
    expect(a.isDraining).toBe(true)
    expect(() => a.enter()).toThrow(expect.objectContaining({ status: 503, code: 'SHUTTING_DOWN' }))
    leaveOne()
    await Promise.resolve()
    expect(drained).toBe(false)
    leaveTwo()
    await draining
    expect(drained).toBe(true)
  })

  it('drain with nothing in progress resolves at once', async () => {
    await expect(new Admission(1).drain()).resolves.toBeUndefined()
  })
})
