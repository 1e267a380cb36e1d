// Tail: the last records of a topic and new ones as they arrive (server-sent events read through
// fetch, so that the token goes in a header), decoded; stops when the user leaves the page or the tab.
import { api } from '../api.js'
import { decoded, errorBox, h, headers } from '../dom.js'

const SHOWN_MAX = 200

async function readEvents(response, onEvent) {
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += decoder.decode(value, { stream: true })
    let end
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const name = /^event: (.*)$/m.exec(block)?.[1]
      const data = /^data: (.*)$/m.exec(block)?.[1]
      if (name && data) onEvent(name, JSON.parse(data))
    }
  }
}

export async function render(container) {
  const { topics } = await api('/admin/topics')
  const topic = h(
    'select',
    { id: 'tail-topic' },
    topics.map((t) => h('option', { value: t.name }, t.name))
  )
  const last = h('input', { id: 'tail-last', type: 'number', min: 0, max: 200, value: '10' })
  const status = h('p', { role: 'status', id: 'tail-status' }, 'Not tailing.')
  const rows = h('tbody', { id: 'tail-records' })
  let controller = null
  const stop = () => {
    controller?.abort()
    controller = null
  }
  const start = async () => {
    stop()
    rows.replaceChildren()
    const mine = (controller = new AbortController())
    status.replaceChildren(`Connecting to ${topic.value}...`)
    try {
      const path = `/admin/tail?topic=${encodeURIComponent(topic.value)}&last=${encodeURIComponent(last.value || '0')}`
      const response = await api(path, { signal: mine.signal, accept: 'text/event-stream' })
      await readEvents(response, (name, data) => {
        if (name === 'ready')
          status.replaceChildren(`Tailing ${data.topic} (the last ${data.last} of each partition, then new records).`)
        if (name === 'end') status.replaceChildren(`Stopped: ${data.reason}.`)
        if (name !== 'record') return
        rows.prepend(
          h(
            'tr',
            {},
            h('td', {}, String(data.partition)),
            h('td', {}, data.offset),
            h('td', {}, new Date(Number(data.timestamp)).toISOString()),
            h('td', {}, decoded(data.key)),
            h('td', {}, headers(data.headers)),
            h('td', {}, decoded(data.value))
          )
        )
        while (rows.children.length > SHOWN_MAX) rows.lastChild.remove()
      })
    } catch (error) {
      if (error.name !== 'AbortError') status.replaceChildren(errorBox(error))
      return
    }
    if (controller === mine) status.replaceChildren('The stream ended.')
  }
  container.append(
    h('h2', {}, 'Tail'),
    h(
      'form',
      { onsubmit: (e) => (e.preventDefault(), start()) },
      h(
        'div',
        { class: 'row' },
        h('div', {}, h('label', { for: 'tail-topic' }, 'Topic'), topic),
        h('div', {}, h('label', { for: 'tail-last' }, 'Last records per partition'), last)
      ),
      h('button', { type: 'submit', id: 'tail-start' }, 'Start'),
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => (stop(), status.replaceChildren('Stopped.')) },
        'Stop'
      ),
      status
    ),
    h(
      'section',
      { class: 'card' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Partition', 'Offset', 'Time', 'Key', 'Headers', 'Value'].map((c) => h('th', { scope: 'col' }, c))
          )
        ),
        rows
      )
    )
  )
  return stop
}
