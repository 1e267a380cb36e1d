// Overview: the cluster as the gateway sees it, the connection test, the producer pool, events per
// subscription from the gateway's metrics and the last errors; refreshed every few seconds.
import { api } from '../api.js'
import { errorBox, h, table } from '../dom.js'

const REFRESH_MS = 5000

function view(o) {
  const cluster = o.cluster.error
    ? errorBox(o.cluster.error)
    : table(
        ['Node', 'Host', 'Port', 'Role'],
        o.cluster.brokers.map((b) => [
          String(b.nodeId),
          b.host,
          String(b.port),
          b.nodeId === o.cluster.controller ? 'controller' : ''
        ]),
        `Brokers answering: ${o.cluster.brokers.length} (cluster ${o.cluster.clusterId})`
      )
  const test = o.connectionTest.ok
    ? h(
        'p',
        { class: 'ok', id: 'connection-test' },
        'Connection test: the brokers answer and the topics can be listed.'
      )
    : h('div', { id: 'connection-test' }, h('p', {}, 'Connection test failed:'), errorBox(o.connectionTest))
  return [
    h('section', { class: 'card', id: 'cluster' }, h('h2', {}, 'Cluster'), cluster, test),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Gateway'),
      h(
        'p',
        {},
        `Producers in the pool: ${o.producerPool.size}. Events received: ${o.events.received}, matching no subscription: ${o.events.notSubscribed}. Dead-letter topic: ${o.deadLetterTopic ?? 'off'}.`
      ),
      table(
        ['Subscription', 'Sent', 'Failed', 'Dead-lettered'],
        o.subscriptions.map((s) => [s.name, String(s.sent), String(s.failed), String(s.deadLettered)]),
        'Events per subscription'
      )
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Last errors'),
      o.lastErrors.length
        ? table(
            ['Time', 'Subscription', 'Code', 'Status', 'Message', 'Dead-lettered'],
            o.lastErrors.map((e) => [
              e.time,
              e.subscription,
              e.code,
              String(e.status),
              e.message,
              e.deadLettered ? 'yes' : 'no'
            ])
          )
        : h('p', { class: 'muted' }, 'None since the gateway started.')
    ),
    h('p', { class: 'muted' }, `Updated ${new Date().toLocaleTimeString()}; refreshes every ${REFRESH_MS / 1000} s.`)
  ]
}

export async function render(container) {
  container.append(h('h2', {}, 'Overview'), h('p', { class: 'muted' }, 'Loading...'))
  let timer
  let stopped = false
  const refresh = async () => {
    try {
      const o = await api('/admin/overview')
      if (!stopped) container.replaceChildren(h('h2', {}, 'Overview'), ...view(o))
    } catch (error) {
      if (!stopped) container.replaceChildren(h('h2', {}, 'Overview'), errorBox(error))
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS)
  }
  await refresh()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
