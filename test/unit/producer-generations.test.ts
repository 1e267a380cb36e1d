/**
 * The rule against reusing a sequence number after an unknown outcome (src/kafka/producer-generations.ts),
 * with fake producers: one send at a time, a failed send retires its producer, the next send gets a
 * fresh one, the retired one is disconnected, a failed connect is not kept.
 */
import { ProducerGenerations, type Generation } from '../../src/kafka/producer-generations'

interface Fake {
  id: number
  connects: number
  disconnects: number
  failConnect?: Error
}

function fakes() {
  const made: Fake[] = []
  let nextConnectError: Error | undefined
  const create = (): Generation<Fake> => {
    const fake: Fake = { id: made.length, connects: 0, disconnects: 0, failConnect: nextConnectError }
    nextConnectError = undefined
    made.push(fake)
    return {
      value: fake,
      connect: async () => {
        fake.connects++
        if (fake.failConnect) throw fake.failConnect
      },
      disconnect: async () => void fake.disconnects++
    }
  }
  return { made, create, failNextConnect: (e: Error) => (nextConnectError = e) }
}

/** A send the test settles by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: Error) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
}

it('builds one producer up front and connects it once', async () => {
  const { made, create } = fakes()
  const g = new ProducerGenerations(create)
  expect(made).toHaveLength(1)
  await g.connect()
  await g.run(async (p) => p.id)
  expect(made.map((f) => f.connects)).toEqual([1])
})

it('runs sends one at a time, in order', async () => {
  const { create } = fakes()
  const g = new ProducerGenerations(create)
  const started: number[] = []
  const gates = [deferred<void>(), deferred<void>(), deferred<void>()]
  const runs = gates.map((gate, i) =>
    g.run(async () => {
      started.push(i)
      await gate.promise
      return i
    })
  )
  await flush()
  expect(started).toEqual([0])
  gates[0].resolve()
  await flush()
  expect(started).toEqual([0, 1])
  gates[1].resolve()
  gates[2].resolve()
  expect(await Promise.all(runs)).toEqual([0, 1, 2])
})

it('a failed send retires its producer: the send queued behind it and every later one use a fresh producer', async () => {
  const { made, create } = fakes()
  const retiredBy: unknown[] = []
  const g = new ProducerGenerations(create, (e) => retiredBy.push(e))
  const gate = deferred<void>()
  const failing = g.run(async (p) => {
    await gate.promise
    throw new Error(`timeout on ${p.id}`)
  })
  const queued = g.run(async (p) => p.id)
  gate.resolve()
  await expect(failing).rejects.toThrow('timeout on 0')
  expect(await queued).toBe(1)
  expect(await g.run(async (p) => p.id)).toBe(1)
  expect(made.map(({ connects, disconnects }) => ({ connects, disconnects }))).toEqual([
    { connects: 1, disconnects: 1 },
    { connects: 1, disconnects: 0 }
  ])
  expect(g.retired).toBe(1)
  expect(retiredBy).toEqual([new Error('timeout on 0')])
})

it('a producer that fails to connect fails its send and is not kept: the next send builds another', async () => {
  const { made, create, failNextConnect } = fakes()
  const g = new ProducerGenerations(create)
  await expect(g.run(async () => Promise.reject(new Error('write failed')))).rejects.toThrow('write failed')
  failNextConnect(new Error('connect refused'))
  await expect(g.run(async (p) => p.id)).rejects.toThrow('connect refused')
  expect(await g.run(async (p) => p.id)).toBe(2)
  // The one that never connected is closed too (kafkajs may hold sockets of a half-done connect).
  expect(made.map((f) => f.disconnects)).toEqual([1, 1, 0])
  // A failed connect is not a retirement: no send used that producer.
  expect(g.retired).toBe(1)
})

it('disconnect waits for the queued sends, then closes the current producer', async () => {
  const { made, create } = fakes()
  const g = new ProducerGenerations(create)
  const gate = deferred<void>()
  const send = g.run(async () => gate.promise)
  const closed = g.disconnect()
  await flush()
  expect(made[0].disconnects).toBe(0)
  gate.resolve()
  await send
  await closed
  expect(made[0].disconnects).toBe(1)
})

it('value is the current producer, or the last one built', async () => {
  const { create } = fakes()
  const g = new ProducerGenerations(create)
  expect(g.value.id).toBe(0)
  await g.run(async () => Promise.reject(new Error('x'))).catch(() => undefined)
  expect(g.value.id).toBe(0)
  await g.run(async () => undefined)
  expect(g.value.id).toBe(1)
})

it('a send that resolves with records left unanswered retires its producer too', async () => {
  const { made, create } = fakes()
  const g = new ProducerGenerations(create)
  const whole = (answered: boolean) => answered
  expect(await g.run(async () => false, whole)).toBe(false)
  expect(await g.run(async (p) => p.id === 1, whole)).toBe(true)
  expect(made.map((f) => f.disconnects)).toEqual([1, 0])
  expect(g.retired).toBe(1)
})
