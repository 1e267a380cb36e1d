// Dead letters: the dead-letter topic's records with their error headers, filtered by code; replay of
// the selected ones or of every one of a code (each at most once), with the outcome per record.
import { api } from '../api.js'
import { errorBox, h, json, table } from '../dom.js'

export async function render(container) {
  const filter = h('select', { id: 'dl-code' }, h('option', { value: '' }, 'every code'))
  const list = h('div', { id: 'dl-list' })
  const outcome = h('div', { id: 'dl-outcome', 'aria-live': 'polite' })
  let letters = []

  const load = async () => {
    const answer = await api(`/admin/dead-letters${filter.value ? `?code=${encodeURIComponent(filter.value)}` : ''}`)
    letters = answer.deadLetters
    if (!filter.value) {
      const codes = [...new Set(letters.map((l) => l.code))].sort()
      filter.replaceChildren(
        h('option', { value: '' }, 'every code'),
        ...codes.map((c) => h('option', { value: c }, c))
      )
    }
    list.replaceChildren(
      letters.length === 0
        ? h('p', { class: 'muted' }, `No dead letters in ${answer.topic}.`)
        : table(
            ['', 'Partition', 'Offset', 'Code', 'Status', 'Subscription', 'Failed at', 'Message', 'Replayed', 'Event'],
            letters.map((l) => [
              l.replayed
                ? ''
                : h('input', {
                    type: 'checkbox',
                    'aria-label': `select dead letter ${l.partition}:${l.offset}`,
                    'data-ref': `${l.partition}:${l.offset}`
                  }),
              String(l.partition),
              l.offset,
              h('code', {}, l.code),
              l.status,
              l.subscription,
              l.failedAt,
              l.message,
              l.replayed ? `yes, ${l.replayed.at}` : 'no',
              h('details', {}, h('summary', {}, 'event'), json(l.event))
            ]),
            `${letters.length} dead letters in ${answer.topic}`
          )
    )
  }
  const replay = async (body) => {
    outcome.replaceChildren(h('p', {}, 'Replaying...'))
    try {
      const answer = await api('/admin/dead-letters/replay', { method: 'POST', body })
      const s = answer.summary
      outcome.replaceChildren(
        h('h3', {}, `Replayed: ${s.replayed}, already replayed: ${s.alreadyReplayed}, failed: ${s.failed}`),
        table(
          ['Partition', 'Offset', 'Code', 'Outcome', 'Delivered / error'],
          answer.results.map((r) => [
            String(r.partition),
            r.offset,
            r.code,
            r.outcome,
            r.error
              ? errorBox(r.error)
              : r.delivered
                ? `topic ${r.delivered.topic}, partition ${r.delivered.partition}, offset ${r.delivered.offset}`
                : ''
          ])
        )
      )
      await load()
    } catch (error) {
      outcome.replaceChildren(errorBox(error))
    }
  }
  const selected = () =>
    [...list.querySelectorAll('input[type=checkbox]:checked')].map((c) => {
      const [partition, offset] = c.dataset.ref.split(':')
      return { partition: Number(partition), offset }
    })
  filter.addEventListener('change', () => load().catch((error) => list.replaceChildren(errorBox(error))))
  container.append(
    h('h2', {}, 'Dead letters'),
    h(
      'form',
      { onsubmit: (e) => e.preventDefault() },
      h('label', { for: 'dl-code' }, 'Error code'),
      filter,
      h(
        'div',
        {},
        h(
          'button',
          {
            type: 'button',
            id: 'dl-replay-selected',
            onclick: () =>
              selected().length
                ? replay({ records: selected() })
                : outcome.replaceChildren(errorBox({ message: 'Select dead letters first.' }))
          },
          'Replay selected'
        ),
        h(
          'button',
          {
            type: 'button',
            id: 'dl-replay-code',
            class: 'secondary',
            onclick: () =>
              filter.value
                ? replay({ code: filter.value })
                : outcome.replaceChildren(errorBox({ message: 'Choose a code first.' }))
          },
          'Replay all of this code'
        )
      )
    ),
    outcome,
    h('section', { class: 'card' }, list)
  )
  await load()
}
