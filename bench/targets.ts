/**
 * The systems under test behind one interface: send one event, send a batch, close. Each target is
 * given the same events and writes the same records (key = userId, value = event JSON, no headers).
 *
 * - `ours`: this project's destination, through actions-core `Destination.onEvent` / `onBatch`.
 * - `ours-idempotent`: the same with the `idempotent` setting on (kafkajs's idempotent producer).
 * - `segment-default` / `segment-cached`: Segment's published Kafka destination through its own
 *   copy of actions-core, without / with its producer-cache feature flag.
 * - `core-kafkajs`: the smallest possible actions-core destination (one kafkajs producer, `send` /
 *   `sendBatch`, no checks): what actions-core itself costs, so the rest of ours' cost is ours.
 * - `kafkajs`: a bare kafkajs producer (`send` for one record, `sendBatch` for a batch): the ceiling.
 * - `http-batch` / `http-events`: ours through the local server's HTTP paths (gateway-targets.ts).
 * - `gateway`: the local server alone in the worker, loaded by a generator process (gateway-load.ts).
 */
import { createRequire } from 'node:module'
import * as path from 'node:path'
import type { Destination, DestinationDefinition, SegmentEvent } from '@segment/actions-core'
import type { Message, Producer } from 'kafkajs'
import { brokerAddresses, formatBroker } from '../src/brokers'
import { TRACK_EVENT_AVRO } from './avro-schema'
import { mapping, toRecord } from './events'
import { httpBatchTarget, httpEventsTarget } from './gateway-targets'

export type TargetName =
  | 'ours'
  | 'ours-idempotent'
  | 'segment-default'
  | 'segment-cached'
  | 'core-kafkajs'
  | 'kafkajs'
  | 'http-batch'
  | 'http-events'
  | 'gateway'

export interface Target {
  /** Sends one event as tenant `tenant` (tenants differ by clientId only). */
  sendOne(event: SegmentEvent, tenant?: number): Promise<void>
  sendBatch(events: SegmentEvent[], tenant?: number): Promise<void>
  close(): Promise<void>
}

export interface TargetOptions {
  brokers: string
  topic: string
  /** Events per batch call (the HTTP targets size their requests by it). */
  batchSize?: number
  /** Ours only: Avro values (schema text registered on first use) instead of JSON. */
  valueFormat?: 'json' | 'avro'
  registry?: { url: string; username: string; password: string }
  /**
   * Ours only: the settings and the mapping with the defaults of their fields filled in, as the gateway's
   * config has them (a runtime's UI pre-fills them); the other rows map only topic, payload and key.
   */
  fieldDefaults?: boolean
}

const ROOT = path.resolve(__dirname, '..')
/**
 * The project's own copies of actions-core and kafkajs: a plain require from bench/ would find
 * bench/node_modules first (Segment's copies), and ours must run with the ones it is built against.
 */
const rootRequire = createRequire(path.join(ROOT, 'package.json'))
const SEGMENT_FLAG = 'actions-kafka-optimize-connection'

type Settings = Record<string, unknown>
type DestinationClass = typeof Destination
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = DestinationDefinition<any>

function clientId(tenant: number | undefined): string {
  return tenant === undefined ? 'bench' : `bench-tenant-${tenant}`
}

class BenchError extends Error {}

/** A destination definition driven the way the actions runtime drives it. */
function destinationTarget(
  DestinationCtor: DestinationClass,
  definition: AnyDefinition,
  settingsFor: (tenant: number | undefined) => Settings,
  topic: string,
  features: Record<string, boolean>,
  close: () => Promise<void>,
  extraMapping: Record<string, unknown> = {}
): Target {
  const destination = new DestinationCtor(definition)
  const subscription = {
    subscribe: 'type = "track"',
    partnerAction: 'send',
    mapping: { ...mapping(topic), ...extraMapping }
  }
  const options = { features }
  // The runtime parses settings for every request: a fresh object per call, so nothing can be keyed
  // on object identity.
  const settings = (tenant: number | undefined): Settings => ({ ...settingsFor(tenant), subscription })
  return {
    async sendOne(event, tenant) {
      const results = await destination.onEvent(event, settings(tenant) as never, options)
      for (const result of results) {
        if (result.error) throw new BenchError(`onEvent failed: ${JSON.stringify(result.error)}`)
      }
    },
    async sendBatch(events, tenant) {
      const results = await destination.onBatch(events, settings(tenant) as never, options)
      for (const result of results) {
        const failed = (result.multistatus ?? []).find((entry) => entry.status >= 300)
        if (failed) throw new BenchError(`onBatch failed: ${JSON.stringify(failed)}`)
      }
    },
    close
  }
}

/** The compiled build run.ts made (BENCH_OURS_DIR), or the TypeScript sources through tsx. */
function loadOurs(): { definition: AnyDefinition; closeAll?: () => Promise<void> } {
  const from = process.env.BENCH_OURS_DIR ?? path.join(ROOT, 'src')
  const mod = require(from) as { default: AnyDefinition; closeAllProducers?: () => Promise<void> }
  return { definition: mod.default, closeAll: mod.closeAllProducers }
}

function oursTarget(options: TargetOptions, idempotent = false): Target {
  const { definition, closeAll } = loadOurs()
  const avro = options.valueFormat === 'avro'
  if (avro && !options.registry) throw new BenchError('Avro values need the schema registry')
  const registry = avro && options.registry ? options.registry : undefined
  // Loaded here, not at the top, so a worker measuring another target never loads this copy.
  const core = rootRequire('@segment/actions-core') as {
    Destination: DestinationClass
    defaultValues(fields: object): Record<string, unknown>
  }
  const defaultsOf = (fields: object | undefined): Record<string, unknown> =>
    options.fieldDefaults && fields ? core.defaultValues(fields) : {}
  const settingDefaults = defaultsOf(definition.authentication?.fields)
  const settingsFor = (tenant: number | undefined): Settings => ({
    ...settingDefaults,
    brokers: options.brokers,
    clientId: clientId(tenant),
    mechanism: 'none',
    ssl_enabled: false,
    idempotent,
    ...(registry
      ? {
          schema_registry_url: registry.url,
          schema_registry_username: registry.username,
          schema_registry_password: registry.password
        }
      : {})
  })
  const given = mapping(options.topic)
  const fieldDefaults = Object.entries(defaultsOf(definition.actions.send?.fields)).filter(([k]) => !(k in given))
  const extraMapping = {
    ...Object.fromEntries(fieldDefaults),
    ...(avro ? { value_format: 'avro', value_schema: JSON.stringify(TRACK_EVENT_AVRO) } : {})
  }
  return destinationTarget(
    core.Destination,
    definition,
    settingsFor,
    options.topic,
    {},
    async () => {
      await closeAll?.()
    },
    extraMapping
  )
}

/** Segment's package lives in bench/node_modules, loaded at run time so type-checking never needs it. */
function segmentTarget(options: TargetOptions, cached: boolean): Target {
  const benchRequire = createRequire(path.join(__dirname, 'package.json'))
  const definition = (
    benchRequire('@segment/action-destinations/dist/destinations/kafka') as { default: AnyDefinition }
  ).default
  const core = benchRequire('@segment/actions-core') as { Destination: DestinationClass }
  const utils = benchRequire('@segment/action-destinations/dist/destinations/kafka/utils') as {
    producersByConfig: Record<string, { producer: Producer }>
  }
  // Its mechanism must be one of plain/scram/client-cert-auth. 'client-cert-auth' without `ssl_ca`
  // and with ssl_enabled false builds a kafkajs config with neither SASL nor TLS (the placeholders
  // only satisfy its validation), i.e. the same PLAINTEXT connection the other targets use.
  const settingsFor = (tenant: number | undefined): Settings => ({
    brokers: options.brokers,
    clientId: clientId(tenant),
    mechanism: 'client-cert-auth',
    ssl_key: 'unused',
    ssl_cert: 'unused',
    ssl_enabled: false
  })
  const features: Record<string, boolean> = cached ? { [SEGMENT_FLAG]: true } : {}
  return destinationTarget(core.Destination, definition, settingsFor, options.topic, features, async () => {
    const entries = Object.entries(utils.producersByConfig)
    await Promise.all(entries.map(([, entry]) => entry.producer.disconnect().catch(() => undefined)))
    for (const [key] of entries) delete utils.producersByConfig[key]
  })
}

function kafkajsTarget(options: TargetOptions): Target & { sendRecords(records: Message[]): Promise<void> } {
  const { Kafka, Partitioners, logLevel } = rootRequire('kafkajs') as typeof import('kafkajs')
  const producers = new Map<string, Promise<Producer>>()
  const producerFor = (tenant: number | undefined): Promise<Producer> => {
    const id = clientId(tenant)
    let producer = producers.get(id)
    if (!producer) {
      const kafka = new Kafka({
        clientId: id,
        brokers: brokerAddresses(options.brokers).map(formatBroker),
        logLevel: logLevel.NOTHING
      })
      const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
      producer = p.connect().then(() => p)
      producers.set(id, producer)
    }
    return producer
  }
  return {
    async sendOne(event, tenant) {
      const producer = await producerFor(tenant)
      await producer.send({ topic: options.topic, messages: [toRecord(event)] })
    },
    async sendBatch(events, tenant) {
      const producer = await producerFor(tenant)
      await producer.sendBatch({ topicMessages: [{ topic: options.topic, messages: events.map(toRecord) }] })
    },
    /** `send` for one record, `sendBatch` for more, as the rows of the tables say. */
    async sendRecords(records) {
      const producer = await producerFor(undefined)
      if (records.length === 1) await producer.send({ topic: options.topic, messages: records })
      else await producer.sendBatch({ topicMessages: [{ topic: options.topic, messages: records }] })
    },
    async close() {
      for (const producer of producers.values()) await (await producer).disconnect()
      producers.clear()
    }
  }
}

/** A bare destination: actions-core's mapping and validation in front of one kafkajs producer. */
function coreKafkajsTarget(options: TargetOptions): Target {
  const raw = kafkajsTarget(options)
  const send = (payloads: { topic: string; payload: unknown; key?: string }[]): Promise<void> =>
    raw.sendRecords(payloads.map((p) => ({ key: p.key ?? null, value: JSON.stringify(p.payload) })))
  const definition: AnyDefinition = {
    // No spaces: actions-core keys compiled schemas by name as a URI.
    name: 'BenchBareKafka',
    mode: 'cloud',
    authentication: {
      scheme: 'custom',
      fields: { clientId: { label: 'Client ID', description: 'Client ID', type: 'string' } }
    },
    actions: {
      send: {
        title: 'Send',
        description: 'Send to Kafka',
        fields: {
          topic: { label: 'Topic', description: 'Topic', type: 'string', required: true },
          payload: { label: 'Payload', description: 'Payload', type: 'object', required: true },
          key: { label: 'Key', description: 'Key', type: 'string' }
        },
        perform: (_request, { payload }) => send([payload]),
        performBatch: (_request, { payload }) => send(payload)
      }
    }
  }
  const core = rootRequire('@segment/actions-core') as { Destination: DestinationClass }
  return destinationTarget(
    core.Destination,
    definition,
    (tenant) => ({ clientId: clientId(tenant) }),
    options.topic,
    {},
    () => raw.close()
  )
}

export function createTarget(name: TargetName, options: TargetOptions): Target {
  switch (name) {
    case 'ours':
      return oursTarget(options)
    case 'ours-idempotent':
      return oursTarget(options, true)
    case 'segment-default':
      return segmentTarget(options, false)
    case 'segment-cached':
      return segmentTarget(options, true)
    case 'core-kafkajs':
      return coreKafkajsTarget(options)
    case 'kafkajs':
      return kafkajsTarget(options)
    case 'http-batch':
      return httpBatchTarget(options, options.batchSize ?? 100)
    case 'http-events':
      return httpEventsTarget(options)
    case 'gateway':
      throw new BenchError('the gateway target is measured by worker.ts itself (gateway-load.ts)')
  }
}
