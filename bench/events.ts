/**
 * The benchmark's input: realistic Segment `track` events of about 1 KB, generated from a seed so
 * every system and every run sees the same events, and the Kafka record each one becomes.
 */
import type { SegmentEvent } from '@segment/actions-core'

/** mulberry32: a small seeded PRNG, so a given seed always gives the same events. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const EVENTS = ['Order Completed', 'Product Viewed', 'Product Added', 'Checkout Started', 'Signed Up']
const PRODUCTS = ['Monopoly: 3rd Edition', 'Uno Card Game', 'Catan', 'Ticket to Ride', 'Pandemic Legacy']
const CATEGORIES = ['Games', 'Toys', 'Books', 'Outdoor']
const CITIES = ['San Francisco', 'Berlin', 'Lisbon', 'Toronto', 'Osaka', 'Nairobi']
const AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148'
]

function hex(rand: () => number, length: number): string {
  let out = ''
  while (out.length < length)
    out += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0')
  return out.slice(0, length)
}

function uuid(rand: () => number): string {
  const h = hex(rand, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`
}

function pick<T>(rand: () => number, list: T[]): T {
  return list[Math.floor(rand() * list.length)]
}

/** One Segment track event (analytics.js shape) of roughly 1 KB once serialised. */
export function trackEvent(rand: () => number, index: number): SegmentEvent {
  const at = new Date(Date.UTC(2025, 0, 1) + index * 1000)
  const price = Math.round(rand() * 10000) / 100
  const quantity = 1 + Math.floor(rand() * 3)
  // originalTimestamp is in every real payload but not in actions-core's SegmentEvent type.
  const event: SegmentEvent & { originalTimestamp: string } = {
    type: 'track',
    event: pick(rand, EVENTS),
    messageId: `ajs-next-${hex(rand, 32)}`,
    userId: `user-${Math.floor(rand() * 10000)}`,
    anonymousId: uuid(rand),
    timestamp: at.toISOString(),
    sentAt: new Date(at.getTime() + 40).toISOString(),
    receivedAt: new Date(at.getTime() + 120).toISOString(),
    originalTimestamp: at.toISOString(),
    properties: {
      order_id: `order-${hex(rand, 10)}`,
      revenue: Math.round(price * quantity * 100) / 100,
      currency: 'USD',
      ...(rand() < 0.3 ? { coupon: 'SPRING10' } : {}),
      products: [
        { product_id: hex(rand, 12), sku: `SKU-${hex(rand, 6)}`, name: pick(rand, PRODUCTS), price, quantity },
        { product_id: hex(rand, 12), category: pick(rand, CATEGORIES) }
      ]
    },
    context: {
      ip: `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
      locale: 'en-US',
      timezone: 'America/Los_Angeles',
      library: { name: 'analytics.js', version: 'next-1.70.0' },
      location: { city: pick(rand, CITIES), country: 'United States' },
      page: {
        path: '/checkout/confirm',
        referrer: 'https://www.example.com/cart',
        title: 'Order confirmation',
        url: 'https://www.example.com/checkout/confirm?step=3'
      },
      userAgent: pick(rand, AGENTS)
    },
    integrations: {}
  }
  return event
}

/** `count` distinct events; callers cycle through them. */
export function generateEvents(count: number, seed = 42): SegmentEvent[] {
  const rand = prng(seed)
  return Array.from({ length: count }, (_, i) => trackEvent(rand, i))
}

/** What every system writes for an event: key = userId, value = the whole event as JSON, no headers. */
export interface BenchRecord {
  key: string
  value: string
}

export function toRecord(event: SegmentEvent): BenchRecord {
  return { key: String(event.userId), value: JSON.stringify(event) }
}

/** The mapping given to both destinations so they write that same record. */
export function mapping(topic: string): Record<string, unknown> {
  return { topic, payload: { '@path': '$.' }, key: { '@path': '$.userId' } }
}
