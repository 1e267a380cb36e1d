// Small DOM helpers: elements are built with text nodes only (never innerHTML), so nothing a record or
// an event carries can become markup.

/** h('tag', { attr: value, onclick: fn }, ...children): an element; strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value)
    else if (name === 'value') el.value = value
    else el.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

/** A table from column titles and rows of cells. */
export function table(columns, rows, caption) {
  return h(
    'table',
    {},
    caption ? h('caption', {}, caption) : null,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, c))
      )
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {},
          row.map((cell) => h('td', {}, cell))
        )
      )
    )
  )
}

/** JSON, indented, in a <pre>. */
export function json(value) {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2))
}

/** An error box: code and message. */
export function errorBox(error) {
  const e = error ?? {}
  return h(
    'p',
    { class: 'error', role: 'alert' },
    e.code ? h('strong', {}, e.code + ': ') : null,
    e.message ?? String(e)
  )
}

/** A decoded key or value as the gateway answers it ({ format, schemaId?, value, error? }). */
export function decoded(d) {
  if (!d || d.format === 'none') return h('em', {}, 'none')
  const label = d.format + (d.schemaId !== undefined ? ` (schema id ${d.schemaId})` : '')
  const body = typeof d.value === 'string' ? h('code', {}, d.value) : json(d.value)
  return h(
    'div',
    { class: 'decoded' },
    h('span', { class: 'format' }, label),
    body,
    d.error ? errorBox({ message: d.error }) : null
  )
}

/** Headers as a definition list. */
export function headers(map) {
  const entries = Object.entries(map ?? {})
  if (entries.length === 0) return h('em', {}, 'none')
  return h(
    'dl',
    { class: 'headers' },
    entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])
  )
}
