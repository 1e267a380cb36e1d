// The admin routes, called with the admin token kept in this tab's sessionStorage (never in a URL or a
// cookie): `Authorization: Bearer <token>`.
const KEY = 'actions-kafka-admin-token'

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY)
}

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`)
    this.status = status
    this.code = error?.code
  }
}

/** Calls an admin route; resolves with the JSON answer, rejects with an ApiError. */
export async function api(path, { method = 'GET', body, signal, accept } = {}) {
  const headers = { authorization: `Bearer ${token.get() ?? ''}` }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (accept) headers.accept = accept
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal
  })
  if (accept === 'text/event-stream' && response.ok) return response
  const answer = await response.json().catch(() => ({}))
  if (response.status === 401) window.dispatchEvent(new CustomEvent('console:logout'))
  if (!response.ok && !('results' in answer)) throw new ApiError(response.status, answer.error)
  return answer
}
