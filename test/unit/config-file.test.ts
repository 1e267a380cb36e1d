import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Destination, type DestinationDefinition } from '@segment/actions-core'
import {
  ConfigError,
  defaultConfig,
  loadConfigFile,
  parseConfig,
  verifyConfig,
  withBrokers,
  withFieldDefaults
} from '../../src/local/config-file'
import { DEFAULT_SUBSCRIPTION } from '../../src/default-subscription'

/** A stand-in destination: the config file module must work with any definition. */
const definition: DestinationDefinition<unknown> = {
  name: 'ConfigFileTest',
  mode: 'cloud',
  authentication: {
    scheme: 'custom',
    fields: {
      brokers: { label: 'Brokers', description: 'b', type: 'string', required: true },
      clientId: { label: 'Client', description: 'c', type: 'string', default: 'default-client' }
    }
  },
  actions: {
    send: {
      title: 'Send',
      description: 'send',
      fields: {
        topic: { label: 'Topic', description: 't', type: 'string', required: true },
        acks: { label: 'Acks', description: 'a', type: 'string', default: 'all' }
      },
      perform: () => {
        throw new Error('the action must never run while a config is verified')
      }
    }
  }
}

const valid = {
  settings: { brokers: 'localhost:9092', mechanism: 'none', ssl_enabled: false },
  subscriptions: [{ subscribe: 'type = "track"', mapping: { topic: 'tracks' } }]
}

describe('parseConfig', () => {
  it('accepts a valid config and fills in the subscription name and partner action', () => {
    const config = parseConfig(valid)
    expect(config.subscriptions[0]).toEqual({
      name: 'subscription 1',
      subscribe: 'type = "track"',
      partnerAction: 'send',
      mapping: { topic: 'tracks' }
    })
  })

  it.each([
    ['not an object', [], '(root): must be object'],
    ['no settings', { subscriptions: valid.subscriptions }, "missing required property 'settings'"],
    ['no subscriptions', { settings: valid.settings }, "missing required property 'subscriptions'"],
    ['an empty subscription list', { ...valid, subscriptions: [] }, 'subscriptions: must NOT have fewer than 1 items'],
    [
      'a subscription without subscribe',
      { ...valid, subscriptions: [{ mapping: {} }] },
      "subscriptions.0: missing required property 'subscribe'"
    ],
    [
      'a mapping that is not an object',
      { ...valid, subscriptions: [{ subscribe: 'x', mapping: 'topic' }] },
      'subscriptions.0.mapping: must be object'
    ],
    [
      'a setting that is an object',
      { ...valid, settings: { brokers: { a: 1 } } },
      'settings.brokers: must be string,number,boolean'
    ],
    ['an unknown top-level key', { ...valid, subscription: [] }, "unknown property 'subscription'"]
  ])('rejects %s, naming the field', (_, value, message) => {
    expect(() => parseConfig(value)).toThrow(ConfigError)
    expect(() => parseConfig(value)).toThrow(message)
  })
})

describe('loadConfigFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-file-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, text)
    return file
  }

  it('reads a valid file', () => {
    expect(loadConfigFile(write('ok.json', JSON.stringify(valid))).settings.brokers).toBe('localhost:9092')
  })

  it('names the file when it is missing, not JSON, or not a config', () => {
    expect(() => loadConfigFile(path.join(dir, 'missing.json'))).toThrow(/cannot read config file .*missing\.json/)
    expect(() => loadConfigFile(write('bad.json', '{"settings": '))).toThrow(
      /config file .*bad\.json is not valid JSON/
    )
    expect(() => loadConfigFile(write('shape.json', '{}'))).toThrow(
      /config file .*shape\.json is not a valid config file/
    )
  })
})

describe('the embedded default', () => {
  it('sends every track/identify/page/screen/group event to segment-events keyed by user on the local broker', () => {
    const config = defaultConfig()
    expect(config.settings).toMatchObject({ brokers: '127.0.0.1:19092', mechanism: 'none', ssl_enabled: false })
    expect(config.subscriptions).toHaveLength(1)
    const [s] = config.subscriptions
    for (const type of ['track', 'identify', 'page', 'screen', 'group'])
      expect(s.subscribe).toContain(`type = "${type}"`)
    expect(s.subscribe).toBe(DEFAULT_SUBSCRIPTION)
    expect(s.mapping.topic).toBe('segment-events')
    expect(JSON.stringify(s.mapping.key)).toContain('$.userId')
    expect(JSON.stringify(s.mapping.key)).toContain('$.anonymousId')
    expect(parseConfig(config)).toEqual(config)
  })

  it('returns a fresh copy each time', () => {
    defaultConfig().settings.brokers = 'changed'
    expect(defaultConfig().settings.brokers).toBe('127.0.0.1:19092')
  })
})

describe('withBrokers and withFieldDefaults', () => {
  it('KAFKA_BROKERS replaces the brokers; empty leaves them', () => {
    expect(withBrokers(parseConfig(valid), ' a:1,b:2 ').settings.brokers).toBe('a:1,b:2')
    expect(withBrokers(parseConfig(valid), '').settings.brokers).toBe('localhost:9092')
    expect(withBrokers(parseConfig(valid), undefined).settings.brokers).toBe('localhost:9092')
  })

  it('puts the settings and action field defaults under what the config gives', () => {
    const config = withFieldDefaults(
      parseConfig({ ...valid, subscriptions: [{ subscribe: 'type = "track"', mapping: { topic: 't', acks: '1' } }] }),
      definition
    )
    expect(config.settings.clientId).toBe('default-client')
    expect(config.subscriptions[0].mapping).toEqual({ topic: 't', acks: '1' })
    expect(withFieldDefaults(parseConfig(valid), definition).subscriptions[0].mapping).toEqual({
      topic: 'tracks',
      acks: 'all'
    })
  })
})

describe('verifyConfig', () => {
  const destination = new Destination(definition)

  it('accepts a valid config without running the action', async () => {
    await expect(verifyConfig(destination, parseConfig(valid))).resolves.toBeUndefined()
  })

  it('rejects an unknown partner action', async () => {
    const config = parseConfig({
      ...valid,
      subscriptions: [{ subscribe: 'type = "track"', partnerAction: 'sned', mapping: {} }]
    })
    await expect(verifyConfig(destination, config)).rejects.toThrow(
      "subscriptions.0.partnerAction: the destination has no action 'sned'"
    )
  })

  it('rejects settings the destination rejects', async () => {
    await expect(verifyConfig(destination, parseConfig({ ...valid, settings: {} }))).rejects.toThrow(
      /^settings: .*brokers/
    )
  })

  it('rejects a subscribe that is not valid FQL', async () => {
    const config = parseConfig({
      ...valid,
      subscriptions: [valid.subscriptions[0], { subscribe: 'type = "track', mapping: {} }]
    })
    await expect(verifyConfig(destination, config)).rejects.toThrow('subscriptions.1.subscribe is not valid FQL')
  })
})
