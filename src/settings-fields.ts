/**
 * The destination's settings fields as the user sees them (`authentication.fields`): labels,
 * descriptions, defaults, which mechanism shows which field; and the names and types derived from them.
 * The runtime does not apply the defaults of settings fields: ./settings.ts applies them.
 */
import type { GlobalSetting } from '@segment/actions-core'
import { oauthSettingsFields } from './oauth/settings'
import { registrySettingsFields } from './schema/settings'

export const MECHANISMS = [
  'plain',
  'scram-sha-256',
  'scram-sha-512',
  'aws',
  'oauthbearer',
  'client-cert-auth',
  'none'
] as const
export type Mechanism = (typeof MECHANISMS)[number]

export const DEFAULTS = {
  clientId: 'segment-actions-kafka-producer',
  mechanism: 'plain' as Mechanism,
  ssl_enabled: true,
  ssl_reject_unauthorized_ca: true,
  idempotent: false
}

export const SASL_USER_MECHANISMS: Mechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512']

const showFor = (...mechanisms: Mechanism[]): GlobalSetting['depends_on'] => ({
  match: 'any',
  conditions: mechanisms.map((value) => ({ fieldKey: 'mechanism', operator: 'is' as const, value }))
})

/**
 * `clientId` and `mechanism` always have a value, but are not marked `required`: the runtime
 * rejects settings that lack a required field before the destination sees them, and it does not
 * fill in setting defaults, so a saved configuration without them would fail every event. They are
 * defaulted in normaliseSettings instead.
 */
const FIELDS = {
  brokers: {
    label: 'Brokers',
    description:
      'Bootstrap brokers as a comma-separated list of host:port, e.g. `broker-1.example.com:9092,broker-2.example.com:9092`. IPv6 addresses go in brackets: `[2001:db8::1]:9092`.',
    type: 'string',
    required: true
  },
  clientId: {
    label: 'Client ID',
    description: 'The client ID the producer announces to Kafka (visible in broker logs and quotas).',
    type: 'string',
    default: DEFAULTS.clientId
  },
  mechanism: {
    label: 'Authentication Mechanism',
    description:
      'How to authenticate. PLAIN and SCRAM use Username and Password; Client Certificate uses the SSL Client Certificate and Key; AWS IAM uses an access key; OAuth / OIDC gets tokens from an identity provider with a client ID and secret; None is for clusters without authentication.',
    type: 'string',
    default: DEFAULTS.mechanism,
    choices: [
      { label: 'PLAIN', value: 'plain' },
      { label: 'SCRAM-SHA-256', value: 'scram-sha-256' },
      { label: 'SCRAM-SHA-512', value: 'scram-sha-512' },
      { label: 'AWS IAM (MSK)', value: 'aws' },
      { label: 'OAuth / OIDC', value: 'oauthbearer' },
      { label: 'Client Certificate (mutual TLS)', value: 'client-cert-auth' },
      { label: 'None', value: 'none' }
    ]
  },
  username: {
    label: 'Username',
    description: 'The SASL username (PLAIN or SCRAM).',
    type: 'string',
    depends_on: showFor(...SASL_USER_MECHANISMS)
  },
  password: {
    label: 'Password',
    description: 'The SASL password (PLAIN or SCRAM).',
    type: 'password',
    depends_on: showFor(...SASL_USER_MECHANISMS)
  },
  accessKeyId: {
    label: 'AWS Access Key ID',
    description: 'The access key ID of the IAM identity allowed to write to the MSK cluster.',
    type: 'string',
    depends_on: showFor('aws')
  },
  secretAccessKey: {
    label: 'AWS Secret Key',
    description: 'The secret access key that goes with the access key ID.',
    type: 'password',
    depends_on: showFor('aws')
  },
  sessionToken: {
    label: 'AWS Session Token',
    description: 'Only for temporary credentials (an access key ID starting with ASIA): their session token.',
    type: 'password',
    depends_on: showFor('aws')
  },
  authorizationIdentity: {
    label: 'AWS Authorization Identity',
    description:
      'Optional IAM role ARN (`arn:aws:iam::<account>:role/<name>`) to assume with the access key before connecting.',
    type: 'string',
    depends_on: showFor('aws')
  },
  awsRegion: {
    label: 'AWS Region',
    description:
      'The AWS region of the MSK cluster, e.g. `us-east-1`. Needed only when the broker host names do not say it (MSK names look like `b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com`).',
    type: 'string',
    depends_on: showFor('aws')
  },
  ...oauthSettingsFields,
  ssl_enabled: {
    label: 'SSL Enabled',
    description:
      'Connect over TLS. Turn off only for brokers that listen in plaintext. Always on for Client Certificate.',
    type: 'boolean',
    default: DEFAULTS.ssl_enabled
  },
  ssl_ca: {
    label: 'SSL Certificate Authority',
    description:
      'PEM certificate(s) of the CA that signed the brokers’ certificates, if it is not a public CA. The full PEM, or its body without the BEGIN/END lines. It is added to the standard public CAs.',
    type: 'string'
  },
  ssl_cert: {
    label: 'SSL Client Certificate',
    description:
      'The client certificate in PEM (the full PEM or its body without the BEGIN/END lines); may include intermediate certificates after it.',
    type: 'string',
    depends_on: showFor('client-cert-auth')
  },
  ssl_key: {
    label: 'SSL Client Key',
    description:
      'The unencrypted private key of the client certificate in PEM: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`); the full PEM or its body.',
    type: 'password',
    depends_on: showFor('client-cert-auth')
  },
  ssl_reject_unauthorized_ca: {
    label: 'SSL - Reject Unauthorized Certificate Authority',
    description: 'Verify the brokers’ certificates (CA and host name). Turning this off is unsafe outside of testing.',
    type: 'boolean',
    default: DEFAULTS.ssl_reject_unauthorized_ca
  },
  idempotent: {
    label: 'Idempotent Delivery',
    description:
      'Turn on the idempotent producer: the brokers drop the copies that retries inside the producer would write. Every request then waits for all in-sync replicas (acks all, whatever the mapping says) and one request is in flight per broker connection. Experimental in kafkajs: see docs/reliability.md (Idempotent delivery) before turning it on.',
    type: 'boolean',
    default: DEFAULTS.idempotent
  },
  // the schema registry of the Avro, JSON Schema and Protobuf formats (src/schema/)
  ...registrySettingsFields
} satisfies Record<string, GlobalSetting>

/** The settings fields as `authentication.fields`. */
export const settingsFields: Record<string, GlobalSetting> = FIELDS

/** The one list of setting names: the settings type, the cache key and the pool key derive from it. */
export type SettingName = keyof typeof FIELDS
export const SETTING_NAMES = Object.keys(FIELDS) as SettingName[]
/** The settings whose values are secrets (`password` fields): never logged, never in a key. */
export const SECRET_SETTINGS = SETTING_NAMES.filter((name) => FIELDS[name].type === 'password')

type Fields = typeof FIELDS
type ValueOf<F> = F extends { type: 'boolean' } ? boolean | string : string
type Required<K extends SettingName> = Fields[K] extends { required: true } ? K : never
type Optional<K extends SettingName> = Fields[K] extends { required: true } ? never : K

/** Settings as the runtime passes them: any field may be missing, and defaults are not applied. */
export type Settings = { [K in SettingName as Required<K>]: ValueOf<Fields[K]> } & {
  [K in SettingName as Optional<K>]?: ValueOf<Fields[K]>
}
