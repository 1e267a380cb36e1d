/**
 * One registry client (with its caches and compiled serializers) per distinct registry settings, in
 * a bounded LRU keyed by a salted digest of the settings: the key never holds the password.
 * An evicted client closes its kept-alive sockets.
 */
import { LRUCache } from 'lru-cache'
import { keyedDigest } from '../connection-identity'
import { RegistryClient, type RegistryClientOptions } from './registry-client'
import { SchemaSerializers } from './serializer'
import type { RegistrySettings } from './settings'

export const REGISTRY_CLIENTS_MAX = 100

export class RegistryClients {
  private readonly cache: LRUCache<string, SchemaSerializers>

  constructor(
    max = REGISTRY_CLIENTS_MAX,
    private readonly options: RegistryClientOptions = {}
  ) {
    this.cache = new LRUCache({ max, dispose: (serializers) => serializers.client.close() })
  }

  /** The serializers (and client) of these registry settings. */
  get(settings: RegistrySettings): SchemaSerializers {
    const key = keyedDigest(
      JSON.stringify([settings.url, settings.username ?? null, settings.password ?? null, settings.ca ?? null]),
      'base64'
    )
    let serializers = this.cache.get(key)
    if (!serializers) {
      serializers = new SchemaSerializers(new RegistryClient(settings, this.options))
      this.cache.set(key, serializers)
    }
    return serializers
  }

  get size(): number {
    return this.cache.size
  }

  clear(): void {
    this.cache.clear()
  }
}

/** The package's registry clients (closed by closeAll on shutdown). */
export const registryClients = new RegistryClients()
