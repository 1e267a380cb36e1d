/**
 * Bad input, as a table: one row per case across settings, mappings and events, each with the result
 * it must give when the destination is driven as a runtime drives it (Destination.onEvent). A row
 * documents the status (400 = dropped, 401 = credentials, 5xx = retried), the code, the field the
 * message must name, and the time it may take. Good rows must land (read back with kcat); bad rows
 * must not. A final batch mixes the bad events with good ones: the good ones still land.
 *
 * All rows run at once (before the assertions): the few that wait on the network take seconds each.
 */
import { execFileSync } from 'node:child_process'
import { createTestEvent, type JSONObject, type SegmentEvent } from '@segment/actions-core'
import { closeAllProducers } from '../../../src'
import { broker, createTopic, pem, readTopic, type ReadRecord } from '../../helpers/kafka'
import { plaintextSettings } from '../../helpers/settings'
import { inParallel, retryable, runtime, sendBatch, sendEvent, within, type Outcome } from '../../helpers/runtime'

afterAll(closeAllProducers)

type Area = 'settings' | 'mapping' | 'event'

interface Row {
  area: Area
  /** What is wrong (or unusual) about the input. */
  input: string
  /** Merged over the good settings; a key set to null is removed. */
  settings?: JSONObject
  /** Merged over the good mapping; a key set to null is removed. */
  mapping?: JSONObject
  event?: Partial<SegmentEvent>
  /** 200 = sent and read back; otherwise the status the runtime sees. */
  status: number
  /** The error code (a regular expression). */
  code?: RegExp
  /** Words the message must contain: the field, and what to do. */
  says?: RegExp
  /** The longest the call may take. */
  ms?: number
  /** For 200 rows: what the record read back must look like. */
  check?: (r: ReadRecord) => void
}

const PARTITIONS = 3
const FAST = 5_000
/** A connection failure is retried inside kafkajs before it is reported: bounded by its retry time. */
const NETWORK = 30_000

const plaintext = () => broker().bootstrap.plaintext
const sasl = () => broker().bootstrap.sasl
const big = (bytes: number) => 'x'.repeat(bytes)
const encryptedKey = () =>
  execFileSync('openssl', ['pkey', '-in', broker().pki.clientKey, '-aes256', '-passout', 'pass:secret'], {
    encoding: 'utf8'
  })
const UNICODE = 'Zürich ☕ 東京 مرحبا 🦄 e\u0301 \u200d'

const rows: Row[] = [
  // ---- settings ----
  { area: 'settings', input: 'brokers absent', settings: { brokers: null }, status: 400, says: /brokers/ },
  { area: 'settings', input: 'brokers empty', settings: { brokers: '' }, status: 400, says: /brokers/ },
  {
    area: 'settings',
    input: 'brokers without port',
    settings: { brokers: 'localhost' },
    status: 400,
    says: /brokers.*port/
  },
  {
    area: 'settings',
    input: 'brokers with a protocol prefix',
    settings: { brokers: 'kafka://127.0.0.1:19092' },
    status: 400,
    says: /brokers.*protocol/
  },
  {
    area: 'settings',
    input: 'broker port out of range',
    settings: { brokers: '127.0.0.1:99999' },
    status: 400,
    says: /brokers.*port/
  },
  {
    area: 'settings',
    input: 'broker port not a number',
    settings: { brokers: '127.0.0.1:abc' },
    status: 400,
    says: /brokers.*port/
  },
  {
    area: 'settings',
    input: 'IPv6 broker without brackets',
    settings: { brokers: '::1:19092' },
    status: 400,
    says: /brokers.*brackets/
  },
  { area: 'settings', input: 'brokers only separators', settings: { brokers: ' , ,' }, status: 400, says: /brokers/ },
  {
    area: 'settings',
    input: 'unicode broker host',
    settings: { brokers: 'bröker.example:9092' },
    status: 400,
    says: /brokers.*bröker/
  },
  {
    area: 'settings',
    input: 'brokers with spaces and a duplicate (normalised)',
    settings: { brokers: ` ${plaintext()} ,${plaintext()} ` },
    status: 200
  },
  {
    area: 'settings',
    input: 'broker with nothing listening',
    settings: { brokers: '127.0.0.1:1' },
    status: 503,
    code: /ECONNREFUSED/,
    says: /127\.0\.0\.1:1/,
    ms: NETWORK
  },
  {
    area: 'settings',
    input: 'broker host that does not resolve',
    settings: { brokers: 'no-such-broker.invalid:9092' },
    status: 503,
    code: /ENOTFOUND|EAI_AGAIN/,
    says: /no-such-broker\.invalid/,
    ms: NETWORK
  },
  {
    area: 'settings',
    input: 'unknown mechanism',
    settings: { mechanism: 'kerberos' },
    status: 400,
    says: /Authentication Mechanism must be one of/
  },
  {
    area: 'settings',
    input: 'mechanism in capitals (choices are exact)',
    settings: { mechanism: 'PLAIN', username: 'alice', password: 'alice-secret', brokers: 'SASL' },
    status: 400,
    says: /Authentication Mechanism must be one of/
  },
  {
    area: 'settings',
    input: 'plain without username',
    settings: { mechanism: 'plain', password: 'p' },
    status: 400,
    says: /username/
  },
  {
    area: 'settings',
    input: 'plain without password',
    settings: { mechanism: 'plain', username: 'u' },
    status: 400,
    says: /password/
  },
  {
    area: 'settings',
    input: 'scram-sha-512 with an empty password',
    settings: { mechanism: 'scram-sha-512', username: 'alice', password: '' },
    status: 400,
    says: /password/
  },
  {
    area: 'settings',
    input: 'aws without secretAccessKey',
    settings: { mechanism: 'aws', accessKeyId: 'AKIAEXAMPLE' },
    status: 400,
    says: /secretAccessKey/
  },
  {
    area: 'settings',
    input: 'client-cert-auth without ssl_key',
    settings: { mechanism: 'client-cert-auth', ssl_cert: 'CERT' },
    status: 400,
    says: /ssl_key/
  },
  {
    area: 'settings',
    input: 'wrong password (SASL listener)',
    settings: { mechanism: 'scram-sha-256', username: 'alice', password: 'not-her-password', brokers: 'SASL' },
    status: 401,
    says: /alice/,
    ms: NETWORK
  },
  {
    area: 'settings',
    input: 'unicode username and password (unknown user)',
    settings: { mechanism: 'plain', username: 'алиса-🦄', password: 'пароль-🔑', brokers: 'SASL' },
    status: 401,
    says: /алиса-🦄/,
    ms: NETWORK
  },
  {
    area: 'settings',
    input: 'ssl_ca not PEM',
    settings: { ssl_enabled: true, ssl_ca: 'hello' },
    status: 400,
    code: /INVALID_PEM/,
    says: /ssl_ca/
  },
  {
    area: 'settings',
    input: 'ssl_ca holding a private key',
    settings: { ssl_enabled: true, ssl_ca: 'KEY' },
    status: 400,
    code: /INVALID_PEM/,
    says: /ssl_ca/
  },
  {
    area: 'settings',
    input: 'ssl_cert truncated',
    settings: { mechanism: 'client-cert-auth', ssl_cert: 'TRUNCATED_CERT', ssl_key: 'KEY' },
    status: 400,
    code: /INVALID_PEM/,
    says: /ssl_cert/
  },
  {
    area: 'settings',
    input: 'ssl_key not a key',
    settings: { mechanism: 'client-cert-auth', ssl_cert: 'CERT', ssl_key: 'not a key at all' },
    status: 400,
    code: /INVALID_PEM/,
    says: /ssl_key/
  },
  {
    area: 'settings',
    input: 'ssl_key not matching ssl_cert',
    settings: { mechanism: 'client-cert-auth', ssl_cert: 'CERT', ssl_key: 'EC_KEY' },
    status: 400,
    code: /INVALID_PEM/,
    says: /ssl_key/
  },
  {
    area: 'settings',
    input: 'ssl_key encrypted',
    settings: { mechanism: 'client-cert-auth', ssl_cert: 'CERT', ssl_key: 'ENCRYPTED_KEY' },
    status: 400,
    code: /INVALID_PEM/,
    says: /ssl_key.*encrypted/
  },
  {
    area: 'settings',
    input: 'ssl_enabled not a boolean',
    settings: { ssl_enabled: 'maybe' },
    status: 400,
    says: /SSL Enabled/
  },
  {
    area: 'settings',
    input: 'ssl_ca given while ssl_enabled is false',
    settings: { ssl_ca: 'CA' },
    status: 400,
    says: /ssl_enabled/
  },
  {
    area: 'settings',
    input: 'TLS spoken to the plaintext port',
    settings: { ssl_enabled: true },
    status: 503,
    says: /TLS.*ssl_enabled/,
    ms: NETWORK
  },
  { area: 'settings', input: 'unicode clientId', settings: { clientId: `client ${UNICODE}` }, status: 200 },

  // ---- mapping ----
  { area: 'mapping', input: 'topic absent', mapping: { topic: null }, status: 400, says: /topic/ },
  { area: 'mapping', input: 'topic empty', mapping: { topic: '' }, status: 400, says: /topic/ },
  {
    area: 'mapping',
    input: 'topic from a path the event lacks',
    mapping: { topic: { '@path': '$.properties.nope' } },
    status: 400,
    says: /topic/
  },
  {
    area: 'mapping',
    input: 'topic with spaces and "!"',
    mapping: { topic: 'bad topic!' },
    status: 400,
    code: /INVALID_TOPIC/,
    says: /Topic "bad topic!" is not a valid Kafka topic name/
  },
  {
    area: 'mapping',
    input: 'topic of 250 characters',
    mapping: { topic: 't'.repeat(250) },
    status: 400,
    code: /INVALID_TOPIC/,
    says: /not a valid Kafka topic name/
  },
  {
    area: 'mapping',
    input: 'topic ".."',
    mapping: { topic: '..' },
    status: 400,
    code: /INVALID_TOPIC/,
    says: /Topic "\.\."/
  },
  {
    area: 'mapping',
    input: 'unicode topic',
    mapping: { topic: 'тема-🦄' },
    status: 400,
    code: /INVALID_TOPIC/,
    says: /Topic "тема-🦄" is not a valid Kafka topic name/
  },
  { area: 'mapping', input: 'partition negative', mapping: { partition: -1 }, status: 400, says: /partition/ },
  {
    area: 'mapping',
    input: 'partition not an integer',
    mapping: { partition: 1.5 },
    status: 400,
    says: /Partition must be an integer/
  },
  {
    area: 'mapping',
    input: 'partition out of range',
    mapping: { partition: PARTITIONS },
    status: 400,
    code: /PARTITION_OUT_OF_RANGE/,
    says: /[Pp]artition 3/
  },
  { area: 'mapping', input: 'partition above 2^31-1', mapping: { partition: 2 ** 31 }, status: 400, says: /partition/ },
  {
    area: 'mapping',
    input: 'partition as a numeric string (coerced)',
    mapping: { partition: '2' },
    status: 200,
    check: (r) => expect(r.partition).toBe(2)
  },
  {
    area: 'mapping',
    input: 'default_partition negative',
    mapping: { default_partition: -3 },
    status: 400,
    says: /default_partition/
  },
  {
    area: 'mapping',
    input: 'payload a string',
    mapping: { payload: { '@path': '$.event' } },
    status: 400,
    says: /Payload must be an object/
  },
  {
    area: 'mapping',
    input: 'payload an array',
    mapping: { payload: [1, 2] },
    status: 400,
    says: /Payload must be an object/
  },
  {
    area: 'mapping',
    input: 'payload from a missing path',
    mapping: { payload: { '@path': '$.nope' } },
    status: 400,
    says: /payload/
  },
  {
    area: 'mapping',
    input: 'header values of every JSON type',
    mapping: {
      headers: { s: 'x', e: '', i: 3, f: 1.5, t: true, no: false, nul: null, o: { a: 1 }, a: [1, 'x'] }
    },
    status: 200,
    check: (r) =>
      expect(r.headers).toEqual({ s: 'x', e: '', i: '3', f: '1.5', t: 'true', no: 'false', o: '{"a":1}', a: '[1,"x"]' })
  },
  {
    area: 'mapping',
    input: 'header values with control bytes and binary-looking text',
    mapping: { headers: { ctl: '\u0001\u0002\u00ff', b64: Buffer.from([0, 255, 1]).toString('base64') } },
    status: 200,
    check: (r) => expect(r.headers).toEqual({ ctl: '\u0001\u0002\u00ff', b64: 'AP8B' })
  },
  {
    area: 'mapping',
    input: 'headers a string',
    mapping: { headers: 'a=b' },
    status: 400,
    says: /Headers must be an object/
  },
  {
    area: 'mapping',
    input: 'unicode header names and values',
    mapping: { headers: { [`ключ-${UNICODE}`]: `значение-${UNICODE}` } },
    status: 200,
    check: (r) => expect(r.headers).toEqual({ [`ключ-${UNICODE}`]: `значение-${UNICODE}` })
  },
  {
    area: 'mapping',
    input: 'key a number (coerced)',
    mapping: { key: 42 },
    status: 200,
    check: (r) => expect(r.key).toBe('42')
  },
  {
    area: 'mapping',
    input: 'unicode key',
    mapping: { key: `user ${UNICODE}` },
    status: 200,
    check: (r) => expect(r.key).toBe(`user ${UNICODE}`)
  },
  {
    area: 'mapping',
    input: 'timestamp not a date',
    mapping: { timestamp: 'yesterday' },
    status: 400,
    says: /timestamp/
  },
  {
    area: 'mapping',
    input: 'timestamp a string V8 would guess a date from ("-5")',
    mapping: { timestamp: '-5' },
    status: 400,
    says: /timestamp must be an ISO 8601 date/
  },
  {
    area: 'mapping',
    input: 'request_timeout below its minimum',
    mapping: { request_timeout: 5 },
    status: 400,
    says: /request_timeout must be from 100 to 30000/
  },
  {
    area: 'mapping',
    input: 'batch_size above its maximum',
    mapping: { batch_size: 100000 },
    status: 400,
    says: /batch_size must be from 1 to 10000/
  },
  {
    area: 'mapping',
    input: 'acks not a choice',
    mapping: { acks: 'sometimes' },
    status: 400,
    says: /Acknowledgements must be one of/
  },
  {
    area: 'mapping',
    input: 'compression not a choice',
    mapping: { compression: 'brotli' },
    status: 400,
    says: /Compression must be one of/
  },
  {
    area: 'mapping',
    input: 'record larger than batch_bytes',
    mapping: { batch_bytes: 1024 },
    event: { properties: { blob: big(5000) } },
    status: 400,
    code: /MESSAGE_TOO_LARGE/,
    says: /batch_bytes/
  },
  {
    area: 'mapping',
    input: 'record above the broker’s message.max.bytes',
    mapping: { batch_bytes: 5_000_000 },
    event: { properties: { blob: big(2_000_000) } },
    status: 400,
    code: /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/,
    says: /too large/,
    ms: NETWORK
  },

  // ---- events ----
  {
    area: 'event',
    input: 'unicode in every field',
    event: { userId: `u-${UNICODE}`, event: `Ordered ${UNICODE}`, properties: { [UNICODE]: UNICODE, rtl: 'שלום' } },
    status: 200,
    check: (r) => {
      expect(r.key).toBe(`u-${UNICODE}`)
      expect(JSON.parse(r.value ?? '{}')).toMatchObject({
        event: `Ordered ${UNICODE}`,
        properties: { [UNICODE]: UNICODE }
      })
    }
  },
  {
    area: 'event',
    input: 'lone surrogate in a property',
    event: { properties: { broken: 'a\ud800b' } },
    status: 200,
    check: (r) => expect(JSON.parse(r.value ?? '{}').properties.broken).toMatch(/^a.b$/u)
  },
  {
    area: 'event',
    input: 'deeply nested properties (200 levels)',
    event: { properties: JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)) as JSONObject },
    status: 200
  },
  {
    area: 'event',
    input: 'extreme numbers',
    event: { properties: { max: Number.MAX_VALUE, min: -Number.MAX_VALUE, tiny: 5e-324, negzero: -0 } },
    status: 200,
    check: (r) => expect(JSON.parse(r.value ?? '{}').properties.max).toBe(Number.MAX_VALUE)
  }
]

let topic: string
let results: { outcome: Outcome; ms: number }[]
let landed: Map<string, ReadRecord>

const placeholders = (): Record<string, string> => ({
  CERT: pem('clientCert'),
  TRUNCATED_CERT: pem('clientCert').slice(0, 400),
  KEY: pem('clientKey'),
  EC_KEY: pem('clientEcKey'),
  CA: pem('ca'),
  ENCRYPTED_KEY: encryptedKey(),
  SASL: sasl()
})

/** The good settings and mapping with the row's changes (null removes a key; placeholders resolved). */
function inputs(row: Row, i: number): { settings: JSONObject; mapping: JSONObject; event: SegmentEvent } {
  const subst = placeholders()
  const merge = (base: JSONObject, changes: JSONObject = {}): JSONObject => {
    const out: JSONObject = { ...base }
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete out[k]
      else out[k] = typeof v === 'string' && v in subst ? subst[v] : v
    }
    return out
  }
  const settings = merge(plaintextSettings(), row.settings)
  const mapping = merge({ topic, payload: { '@path': '$.' }, key: { '@path': '$.userId' } }, row.mapping)
  return { settings, mapping, event: createTestEvent({ messageId: `row-${i}`, ...row.event }) }
}

beforeAll(async () => {
  topic = await createTopic(undefined, PARTITIONS)
  const dest = runtime()
  results = await inParallel(rows, 8, async (row, i) => {
    const { settings, mapping, event } = inputs(row, i)
    const started = Date.now()
    const limit = row.ms ?? FAST
    const outcome = await within(limit + 5_000, sendEvent(dest, settings, mapping, event)).catch(
      (error: Error): Outcome => ({ ok: false, status: -1, message: `HUNG: ${error.message}` })
    )
    return { outcome, ms: Date.now() - started }
  })
  landed = new Map((await readTopic(topic)).map((r) => [JSON.parse(r.value ?? '{}').messageId as string, r]))
}, 180_000)

describe('bad input table', () => {
  it('has at least 40 cases across settings, mappings and events', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40)
    for (const area of ['settings', 'mapping', 'event'] as Area[]) expect(rows.some((r) => r.area === area)).toBe(true)
  })

  it.each(rows.map((row, i) => [`${row.area}: ${row.input}`, row, i] as const))('%s', (_name, row, i) => {
    const { outcome, ms } = results[i]
    expect({ status: outcome.status, message: outcome.message }).toMatchObject({ status: row.status })
    expect(ms).toBeLessThanOrEqual(row.ms ?? FAST)
    if (row.status === 200) {
      const record = landed.get(`row-${i}`)
      expect(record).toBeDefined()
      row.check?.(record as ReadRecord)
      return
    }
    expect(landed.has(`row-${i}`)).toBe(false)
    expect(retryable(outcome.status)).toBe(row.status >= 500)
    if (row.code) expect(outcome.code).toMatch(row.code)
    if (row.says) expect(outcome.message).toMatch(row.says)
  })
})

describe('a batch mixing bad events with good ones', () => {
  /** Each event picks its own topic, partition, headers, payload and timestamp through the mapping. */
  const mapping = (): JSONObject => ({
    topic: { '@path': '$.properties.topic' },
    payload: { '@path': '$.properties.payload' },
    key: { '@path': '$.userId' },
    partition: { '@path': '$.properties.partition' },
    headers: { '@path': '$.properties.headers' },
    timestamp: { '@path': '$.properties.ts' },
    batch_bytes: 5_000_000
  })
  type Item = { status: number; properties: JSONObject; code?: RegExp }
  const items = (t: string): Item[] => {
    const good = (n: number, extra: JSONObject = {}): Item => ({
      status: 200,
      properties: { topic: t, payload: { n, text: UNICODE }, ...extra }
    })
    return [
      good(1),
      { status: 400, properties: { payload: { n: 2 } } },
      good(3, { headers: { i: 1, t: true, o: { a: [1] }, nul: null, u: UNICODE } }),
      { status: 400, properties: { topic: 'bad topic!', payload: { n: 4 } } },
      good(5, { partition: 2 }),
      { status: 400, properties: { topic: 't'.repeat(250), payload: { n: 6 } } },
      { status: 400, properties: { topic: t, payload: { n: 7 }, partition: -1 } },
      good(8),
      { status: 400, properties: { topic: t, payload: { n: 9 }, partition: 1.5 } },
      { status: 400, properties: { topic: t, payload: { n: 10 }, partition: 99 }, code: /PARTITION_OUT_OF_RANGE/ },
      good(11, { ts: '2024-01-02T03:04:05.000Z' }),
      { status: 400, properties: { topic: t, payload: 'not an object' } },
      { status: 400, properties: { topic: t, payload: { n: 13 }, headers: 'a=b' } },
      { status: 400, properties: { topic: t, payload: { n: 14 }, ts: 'yesterday' } },
      { status: 400, properties: { topic: t, payload: { n: 15, blob: big(2_000_000) } }, code: /TOO_LARGE/ },
      good(16),
      { status: 400, properties: { topic: 'тема-🦄', payload: { n: 17 } } },
      good(18, { payload: { n: 18, [UNICODE]: UNICODE } })
    ]
  }

  let list: Item[]
  let outcomes: Outcome[]
  let records: ReadRecord[]
  const n = (r: ReadRecord): number => (JSON.parse(r.value ?? '{}') as { n: number }).n
  const goodNs = (): number[] =>
    list.flatMap((item) => (item.status === 200 ? [(item.properties.payload as { n: number }).n] : []))

  beforeAll(async () => {
    const t = await createTopic(undefined, PARTITIONS)
    list = items(t)
    const events = list.map((item, i) =>
      createTestEvent({ messageId: `mix-${i}`, userId: `u-${i}`, properties: item.properties })
    )
    const settings: JSONObject = plaintextSettings()
    outcomes = await within(NETWORK + 10_000, sendBatch(runtime(), settings, mapping(), events))
    records = await readTopic(t)
  }, 120_000)

  it('each bad event fails alone with a 400 (code where it matters); the good ones get 200', () => {
    expect(outcomes.map((o) => o.status)).toEqual(list.map((i) => i.status))
    list.forEach((item, i) => {
      if (item.code) expect(outcomes[i].code).toMatch(item.code)
    })
  })

  it('every good event lands, with its partition and headers; no bad one does', () => {
    expect([...new Set(records.map(n))].sort((a, b) => a - b)).toEqual(goodNs())
    expect(records.find((r) => n(r) === 5)?.partition).toBe(2)
    expect(records.find((r) => n(r) === 3)?.headers).toEqual({ i: '1', t: 'true', o: '{"a":[1]}', u: UNICODE })
  })

  // KNOWN (at-least-once): when one record of a multi-partition request exceeds the broker's
  // message.max.bytes, the broker writes the other partitions' batches, kafkajs reports the request
  // as failed, and deliver.ts sends the records again to isolate the culprit: good records of the
  // partitions already written land twice. `it.failing` documents it; it flips once that is fixed.
  it.failing('the good events land exactly once', () => {
    expect(records.map(n).sort((a, b) => a - b)).toEqual(goodNs())
  })
})
