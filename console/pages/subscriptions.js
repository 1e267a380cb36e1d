// Subscriptions: the settings (secrets masked) and each subscription's FQL, action and mapping, as the
// gateway loaded them from its config file.
import { api } from '../api.js'
import { h, json } from '../dom.js'

const SCHEMA_FIELDS = [
  'value_format',
  'key_format',
  'value_subject',
  'value_subject_strategy',
  'value_schema_version',
  'value_message'
]

export async function render(container) {
  const { settings, subscriptions } = await api('/admin/subscriptions')
  container.append(
    h('h2', {}, 'Subscriptions'),
    ...subscriptions.map((s) => {
      const schema = Object.fromEntries(
        SCHEMA_FIELDS.filter((f) => s.mapping[f] !== undefined).map((f) => [f, s.mapping[f]])
      )
      return h(
        'section',
        { class: 'card subscription' },
        h('h3', {}, s.name),
        h('p', {}, 'Subscribe (FQL): ', h('code', {}, s.subscribe), ` → action ${s.partnerAction}`),
        h(
          'p',
          {},
          'Schema: ',
          Object.keys(schema).length ? h('code', {}, JSON.stringify(schema)) : 'JSON value, text key'
        ),
        h('details', {}, h('summary', {}, 'Mapping'), json(s.mapping))
      )
    }),
    h('section', { class: 'card' }, h('h3', {}, 'Settings (secrets masked)'), json(settings))
  )
}
