/**
 * The dead-letter routes: `GET /admin/dead-letters[?code=]` lists the dead letters with their error
 * headers and replay markers; `POST /admin/dead-letters/replay` replays selected ones
 * (`{"records":[{"partition":0,"offset":"12"}]}`) or every one of a code (`{"code":"..."}`), each at most
 * once, and answers the outcome per record (dead-letter-replay.ts). 404 when no dead-letter topic is set.
 */
import { adminSchemas } from './admin-schemas'
import type { ServerContext } from './context'
import { DeadLetterReplay, type ReplaySelection } from './dead-letter-replay'
import { check, RequestError } from './http-io'
import type { Routes } from './route'

export function deadLetterRoutes(context: ServerContext, routes: Routes): void {
  const topic = context.deadLetters?.topic
  const replay = topic ? new DeadLetterReplay(context.runner, topic) : undefined
  const needReplay = (): DeadLetterReplay => {
    if (replay) return replay
    throw new RequestError(
      404,
      'DEAD_LETTERS_OFF',
      'this gateway writes no dead letters: set server.deadLetter.topic in the config file'
    )
  }

  routes.set('/admin/dead-letters', {
    method: 'GET',
    access: 'admin',
    emptyBodyOk: true,
    handler: async (_raw, { query }) => {
      const r = needReplay()
      const code = query.get('code') || undefined
      const letters = await r.list(code)
      return { status: 200, body: { ok: true, topic: r.topic, markerTopic: r.markerTopic, deadLetters: letters } }
    }
  })

  routes.set('/admin/dead-letters/replay', {
    method: 'POST',
    access: 'admin',
    emptyBodyOk: false,
    handler: async (raw) => {
      const selection = check<ReplaySelection>(adminSchemas.replay, raw)
      const r = needReplay()
      const results = await r.replay(selection)
      const summary = { replayed: 0, alreadyReplayed: 0, failed: 0 }
      for (const o of results) {
        if (o.outcome === 'replayed') summary.replayed++
        else if (o.outcome === 'already replayed') summary.alreadyReplayed++
        else summary.failed++
      }
      return { status: 200, body: { ok: summary.failed === 0, summary, results } }
    }
  })
}
