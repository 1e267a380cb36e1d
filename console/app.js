// The console's shell: the login form, the navigation and a hash router (#/overview, ...). Each page
// is a module exporting `render(container)`, which may return a function that stops what it started
// (timers, streams) when the user leaves the page.
import { api, token } from './api.js'
import { errorBox } from './dom.js'

const PAGES = {
  overview: () => import('./pages/overview.js'),
  topics: () => import('./pages/topics.js'),
  subscriptions: () => import('./pages/subscriptions.js'),
  playground: () => import('./pages/playground.js'),
  tail: () => import('./pages/tail.js'),
  'dead-letters': () => import('./pages/dead-letters.js')
}

const $ = (id) => document.getElementById(id)
let stopPage = null

function showLogin(message = '') {
  stopPage?.()
  stopPage = null
  $('nav').hidden = true
  $('page').replaceChildren()
  $('login').hidden = false
  $('login-error').textContent = message
  $('token').value = ''
  $('token').focus()
}

async function route() {
  if (!token.get()) return showLogin()
  const name = location.hash.replace(/^#\//, '') || 'overview'
  const load = PAGES[name] ?? PAGES.overview
  stopPage?.()
  stopPage = null
  $('login').hidden = true
  $('nav').hidden = false
  for (const a of $('nav').querySelectorAll('a')) {
    if (a.getAttribute('href') === `#/${name}`) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  const container = $('page')
  container.replaceChildren()
  try {
    const page = await load()
    stopPage = (await page.render(container)) ?? null
  } catch (error) {
    container.replaceChildren(errorBox(error))
  }
  $('main').focus()
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault()
  token.set($('token').value)
  try {
    await api('/admin/subscriptions')
    route()
  } catch (error) {
    token.clear()
    showLogin(error.status === 401 ? 'That is not the admin token.' : error.message)
  }
})

$('logout').addEventListener('click', () => {
  token.clear()
  showLogin()
})

window.addEventListener('console:logout', () => {
  token.clear()
  showLogin('The admin token was refused: log in again.')
})
window.addEventListener('hashchange', route)
route()
