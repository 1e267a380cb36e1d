/**
 * The send action without the producer, for the gateway's dry run: the same fields (so actions-core
 * maps and validates the event exactly as for a real send) and the same planning step (plan.ts: settings,
 * schema encoders, the record), but `perform` returns the planned record instead of sending it.
 */
import type { ActionDefinition } from '@segment/actions-core'
import type { ConnectionSettings } from '../settings'
import type { Settings } from '../settings-fields'
import type { Payload } from './payload'
import { planRecords, type PlannedRecord } from './plan'

/** What a previewed event would become: its planned record and the connection it would go through. */
export type Preview = Extract<PlannedRecord, { ok: true }> & { settings: ConnectionSettings }

/** `action` with a `perform` that plans and does not send (and no batch path). */
export function previewAction(action: ActionDefinition<Settings, Payload>): ActionDefinition<Settings, Payload> {
  const { performBatch: _batch, ...rest } = action
  return {
    ...rest,
    perform: async (_request, { settings, payload }): Promise<Preview> => {
      const plan = await planRecords(settings, [payload])
      const [planned] = plan.records
      if (!planned.ok) throw planned.error
      return { ...planned, settings: plan.settings }
    }
  }
}
