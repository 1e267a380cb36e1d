/**
 * The project's broker: every listener and mechanism accepts a plain kafkajs client, and a record
 * produced through it is read back (by kcat) with the same value, key and headers.
 */
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs'
import { broker, createTopic, pem, readTopic } from '../helpers/kafka'

const b = broker()
const alice = b.users[0]
const sasl = (mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'): SASLOptions =>
  ({ mechanism, username: alice.username, password: alice.password }) as SASLOptions

const cases: [string, Omit<KafkaConfig, 'clientId' | 'logLevel'>][] = [
  ['PLAINTEXT, no auth', { brokers: [b.bootstrap.plaintext] }],
  ['SASL_PLAINTEXT, PLAIN', { brokers: [b.bootstrap.sasl], sasl: sasl('plain') }],
  ['SASL_PLAINTEXT, SCRAM-SHA-256', { brokers: [b.bootstrap.sasl], sasl: sasl('scram-sha-256') }],
  ['SASL_PLAINTEXT, SCRAM-SHA-512', { brokers: [b.bootstrap.sasl], sasl: sasl('scram-sha-512') }],
  [
    'SSL, client certificate',
    { brokers: [b.bootstrap.ssl], ssl: { ca: [pem('ca')], cert: pem('clientCert'), key: pem('clientKey') } }
  ],
  ['SASL_SSL, PLAIN', { brokers: [b.bootstrap.saslSsl], ssl: { ca: [pem('ca')] }, sasl: sasl('plain') }],
  ['SASL_SSL, SCRAM-SHA-512', { brokers: [b.bootstrap.saslSsl], ssl: { ca: [pem('ca')] }, sasl: sasl('scram-sha-512') }]
]

describe('broker listeners', () => {
  let topic: string
  beforeAll(async () => {
    topic = await createTopic()
  })

  it.each(cases)('%s accepts a kafkajs producer and the record reads back', async (name, config) => {
    const producer = new Kafka({ ...config, clientId: 'smoke', logLevel: logLevel.NOTHING }).producer()
    await producer.connect()
    try {
      await producer.send({
        topic,
        messages: [{ key: `key ${name}`, value: `value ${name} ✓`, headers: { listener: name } }]
      })
    } finally {
      await producer.disconnect()
    }
    const record = (await readTopic(topic)).find((r) => r.key === `key ${name}`)
    expect(record).toMatchObject({ value: `value ${name} ✓`, headers: { listener: name } })
  })

  it('the SSL listener rejects a client without a certificate', async () => {
    const kafka = new Kafka({
      brokers: [b.bootstrap.ssl],
      ssl: { ca: [pem('ca')] },
      clientId: 'smoke',
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 3000
    })
    const admin = kafka.admin()
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow()
    await admin.disconnect()
  })
})
