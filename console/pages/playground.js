// Playground: an event (pasted, or a sample), its dry run through every subscription (match or not, the
// exact record or the error naming the field, nothing sent), then a real send (partition and offset).
import { api } from '../api.js'
import { decoded, errorBox, h, headers } from '../dom.js'

const now = () => new Date().toISOString()
const id = () => `console-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
const SAMPLES = {
  track: () => ({
    type: 'track',
    event: 'Order Completed',
    userId: 'user-42',
    messageId: id(),
    timestamp: now(),
    properties: { orderId: 'o-1001', total: 39.9 }
  }),
  identify: () => ({
    type: 'identify',
    userId: 'user-42',
    messageId: id(),
    timestamp: now(),
    traits: { email: 'jane@example.com', plan: 'pro' }
  }),
  page: () => ({
    type: 'page',
    name: 'Pricing',
    userId: 'user-42',
    messageId: id(),
    timestamp: now(),
    properties: { path: '/pricing' }
  }),
  screen: () => ({ type: 'screen', name: 'Home', userId: 'user-42', messageId: id(), timestamp: now() }),
  group: () => ({
    type: 'group',
    groupId: 'acme',
    userId: 'user-42',
    messageId: id(),
    timestamp: now(),
    traits: { name: 'Acme' }
  })
}

function recordView(r) {
  const partition =
    r.partition === null
      ? h('span', {}, 'chosen at send', r.partitionNote ? h('span', { class: 'muted' }, ` (${r.partitionNote})`) : null)
      : `${r.partition} of ${r.partitions}`
  const rows = [
    ['Topic', r.topic],
    ['Partition', partition],
    ['Key', decoded(r.key)],
    ['Headers', headers(r.headers)],
    [
      'Timestamp',
      r.timestamp === null ? 'set by the producer' : `${r.timestamp} (${new Date(Number(r.timestamp)).toISOString()})`
    ],
    ['Value', decoded(r.value)],
    ['Value size', `${r.bytes} bytes`]
  ]
  return h(
    'table',
    { class: 'record' },
    h(
      'tbody',
      {},
      rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { 'data-field': k.toLowerCase() }, v)))
    )
  )
}

function dryRunView(results) {
  return results.map((r) =>
    h(
      'section',
      { class: 'result', 'data-subscription': r.subscription },
      h('h3', {}, r.subscription, ': ', !r.matched ? 'does not match' : r.ok ? 'matches' : 'matches, but fails'),
      !r.matched ? null : r.ok ? recordView(r.record) : errorBox(r.error)
    )
  )
}

function sendView(answer) {
  if (answer.status === 'not subscribed') return [h('p', {}, 'No subscription matched: nothing was sent.')]
  return answer.deliveries.map((d) =>
    h(
      'section',
      { class: 'result sent', 'data-subscription': d.subscription },
      h('h3', {}, d.subscription, ': ', d.ok ? 'sent' : 'failed'),
      d.ok
        ? h('p', { class: 'ok' }, `Topic ${d.data.topic}, partition ${d.data.partition}, offset ${d.data.offset}`)
        : errorBox({ code: d.code, message: d.message })
    )
  )
}

export async function render(container) {
  const text = h('textarea', { id: 'event', 'aria-label': 'Event (JSON)', spellcheck: 'false' })
  text.value = JSON.stringify(SAMPLES.track(), null, 2)
  const picker = h(
    'select',
    { id: 'sample' },
    Object.keys(SAMPLES).map((k) => h('option', { value: k }, k))
  )
  picker.addEventListener('change', () => (text.value = JSON.stringify(SAMPLES[picker.value](), null, 2)))
  const out = h('div', { id: 'results', 'aria-live': 'polite' })
  const parse = () => {
    try {
      return JSON.parse(text.value)
    } catch (error) {
      out.replaceChildren(errorBox({ code: 'INVALID_JSON', message: `The event is not JSON: ${error.message}` }))
      return undefined
    }
  }
  const run = async (path, show, label) => {
    const event = parse()
    if (!event) return
    out.replaceChildren(h('p', {}, `${label}...`))
    try {
      const answer = await api(path, { method: 'POST', body: { event } })
      out.replaceChildren(h('h2', {}, label), ...show(answer))
    } catch (error) {
      out.replaceChildren(errorBox(error))
    }
  }
  container.append(
    h('h2', {}, 'Playground'),
    h(
      'form',
      { onsubmit: (e) => e.preventDefault() },
      h('div', { class: 'row' }, h('div', {}, h('label', { for: 'sample' }, 'Sample event'), picker)),
      h('label', { for: 'event' }, 'Event (JSON)'),
      text,
      h(
        'button',
        {
          type: 'button',
          id: 'dry-run',
          onclick: () => run('/admin/dry-run', (a) => dryRunView(a.results), 'Dry run (nothing sent)')
        },
        'Dry run'
      ),
      h(
        'button',
        { type: 'button', id: 'send', class: 'secondary', onclick: () => run('/admin/send', sendView, 'Sent') },
        'Send for real'
      )
    ),
    out
  )
}
