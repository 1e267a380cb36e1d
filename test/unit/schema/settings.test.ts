import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createCa } from '../../../scripts/broker/pki'
import { normaliseRegistrySettings } from '../../../src/schema/settings'

test('no URL: no registry', () => {
  expect(normaliseRegistrySettings({})).toBeUndefined()
  expect(normaliseRegistrySettings({ schema_registry_url: '  ' })).toBeUndefined()
})

test('URL without trailing slash; user and password kept', () => {
  expect(
    normaliseRegistrySettings({
      schema_registry_url: 'https://registry.example.com/apis/ccompat/v7/',
      schema_registry_username: 'KEY',
      schema_registry_password: 'SECRET'
    })
  ).toEqual({ url: 'https://registry.example.com/apis/ccompat/v7', username: 'KEY', password: 'SECRET' })
})

test('bad URLs are a 400 naming the field; credentials in the URL are refused without echoing them', () => {
  const fail = (url: string): Error => {
    try {
      normaliseRegistrySettings({ schema_registry_url: url })
    } catch (error) {
      return error as Error
    }
    throw new Error('expected an error')
  }
  expect(fail('registry:8081')).toMatchObject({ status: 400, message: expect.stringContaining('schema_registry_url') })
  expect(fail('ftp://registry')).toMatchObject({ message: expect.stringContaining('https://') })
  const withSecret = fail('https://key:s3cr3t-value@registry.example.com')
  expect(withSecret.message).toContain('must not contain a user name or password')
  expect(withSecret.message).not.toContain('s3cr3t-value')
  expect(() => normaliseRegistrySettings({ schema_registry_url: 'https://r', schema_registry_password: 'x' })).toThrow(
    expect.objectContaining({ message: expect.stringContaining('schema_registry_username') })
  )
})

test('the CA is normalised (a bare body is accepted); garbage is a 400 naming the field', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-ca-'))
  try {
    createCa(dir, 'ca', 'test-ca')
    const pem = fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8')
    const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '')
    const settings = normaliseRegistrySettings({ schema_registry_url: 'https://r', schema_registry_ca: body })
    expect(settings?.ca).toContain('-----BEGIN CERTIFICATE-----')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  expect(() => normaliseRegistrySettings({ schema_registry_url: 'https://r', schema_registry_ca: 'nope' })).toThrow(
    expect.objectContaining({ message: expect.stringContaining('schema_registry_ca') })
  )
})
