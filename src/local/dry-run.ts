/**
 * The playground's dry run: an event through every subscription of the config with the same mapping
 * engine, the same action fields and the same planning step (settings, schema encoders, record) as a
 * real send, stopping before the producer (src/send/preview.ts). Per subscription: not matched, the
 * exact record (its partition from the producer's partitioner and the topic's partition count; key and
 * value decoded back through the registry), or the error naming the field.
 */
import { Destination, type ActionDefinition, type SegmentEvent } from '@segment/actions-core'
import { describeTopics } from '../kafka/cluster'
import { predictPartition } from '../kafka/partitioner'
import { decodeForDisplay, type Decoded } from '../schema/decode'
import type { Payload } from '../send/payload'
import { previewAction, type Preview } from '../send/preview'
import type { Settings } from '../settings-fields'
import { failedResult, lastData } from './results'
import type { LocalRunner } from './startup'
import { settingsWith } from './subscriptions'

export interface PlannedView {
  topic: string
  /** Null when the producer picks it at send time (no key, no partition) or the topic is unknown. */
  partition: number | null
  partitions?: number
  partitionNote?: string
  key: Decoded
  headers: Record<string, string>
  timestamp: string | null
  value: Decoded
  /** The value's size in bytes, as sent. */
  bytes: number
}

export type DryRunResult =
  | { subscription: string; matched: false }
  | { subscription: string; matched: true; ok: true; record: PlannedView }
  | { subscription: string; matched: true; ok: false; error: { status: number; code?: string; message?: string } }

export class DryRun {
  private readonly destination: Destination<unknown>

  constructor(private readonly runner: LocalRunner) {
    const { definition } = runner
    const actions = { ...definition.actions }
    if (actions.send) actions.send = previewAction(actions.send as ActionDefinition<Settings, Payload>) as never
    this.destination = new Destination({ ...definition, actions })
  }

  async run(event: SegmentEvent): Promise<DryRunResult[]> {
    const { config } = this.runner
    const out: DryRunResult[] = []
    for (const s of config.subscriptions) {
      try {
        const results = await this.destination.onEvent(event, settingsWith(config, s))
        if (results.length === 1 && results[0].output === 'not subscribed') {
          out.push({ subscription: s.name, matched: false })
          continue
        }
        const preview = lastData(results) as Preview | undefined
        if (!preview?.record) throw new Error(`the action '${s.partnerAction}' has no dry run`)
        out.push({ subscription: s.name, matched: true, ok: true, record: await view(preview) })
      } catch (error) {
        const { status, code, message } = failedResult(error)
        out.push({ subscription: s.name, matched: true, ok: false, error: { status, code, message } })
      }
    }
    return out
  }
}

async function view({ topic, record, settings }: Preview): Promise<PlannedView> {
  const { message } = record
  let partitions: number | undefined
  let partitionNote: string | undefined
  try {
    const [t] = await describeTopics(settings, [topic])
    partitions = t?.partitions.length || undefined
  } catch (error) {
    partitionNote = `the topic's partitions are unknown: ${(error as Error).message}`
  }
  const predicted = partitions === undefined ? undefined : predictPartition(message, partitions)
  if (partitions !== undefined && predicted === undefined)
    partitionNote = 'no key and no partition: the producer picks one (round robin) when it sends'
  return {
    topic,
    partition: predicted ?? null,
    ...(partitions !== undefined ? { partitions } : {}),
    ...(partitionNote ? { partitionNote } : {}),
    key: await decodeForDisplay(settings.registry, message.key, true),
    headers: message.headers ?? {},
    timestamp: message.timestamp ?? null,
    value: await decodeForDisplay(settings.registry, message.value),
    bytes: Buffer.byteLength(message.value)
  }
}
