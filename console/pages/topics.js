// Topics: the cluster's topics (partitions, replication) and a form creating one.
import { api } from '../api.js'
import { errorBox, h, table } from '../dom.js'

export async function render(container) {
  const list = h('div', { id: 'topic-list' })
  const status = h('p', { role: 'status' })
  const input = (id, label, attrs) => [h('label', { for: id }, label), h('input', { id, name: id, ...attrs })]
  const form = h(
    'form',
    { id: 'create-topic' },
    h('h2', {}, 'Create a topic'),
    h(
      'div',
      { class: 'row' },
      h('div', {}, input('topic-name', 'Name', { required: true, pattern: '[a-zA-Z0-9._\\-]{1,249}' })),
      h('div', {}, input('topic-partitions', 'Partitions', { type: 'number', min: 1, value: '3', required: true })),
      h(
        'div',
        {},
        input('topic-replication', 'Replication factor', { type: 'number', min: 1, value: '1', required: true })
      ),
      h(
        'div',
        {},
        input('topic-min-isr', 'min.insync.replicas', { type: 'number', min: 1, placeholder: 'broker default' })
      )
    ),
    h('button', { type: 'submit' }, 'Create topic'),
    status
  )
  const load = async () => {
    try {
      const { topics } = await api('/admin/topics')
      list.replaceChildren(
        table(
          ['Topic', 'Partitions', 'Replication factor', 'Leaders'],
          topics.map((t) => [
            t.name,
            String(t.partitions),
            String(t.replicationFactor),
            t.details.map((p) => p.leader).join(', ')
          ]),
          `${topics.length} topics`
        )
      )
    } catch (error) {
      list.replaceChildren(errorBox(error))
    }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const value = (id) => form.querySelector(`#${id}`).value
    const body = {
      topic: value('topic-name'),
      partitions: Number(value('topic-partitions')),
      replicationFactor: Number(value('topic-replication'))
    }
    if (value('topic-min-isr')) body.minInsyncReplicas = Number(value('topic-min-isr'))
    status.replaceChildren('Creating...')
    try {
      await api('/admin/topics/create', { method: 'POST', body })
      status.replaceChildren(h('span', { class: 'ok' }, `Topic ${body.topic} created.`))
      await load()
    } catch (error) {
      status.replaceChildren(errorBox(error))
    }
  })
  container.append(h('h2', {}, 'Topics'), form, h('section', { class: 'card' }, list))
  await load()
}
