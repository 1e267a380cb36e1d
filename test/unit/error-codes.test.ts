import {
  IntegrationError,
  InvalidAuthenticationError,
  PayloadValidationError,
  RetryableError
} from '@segment/actions-core'
import { errorCode, errorStatus, OWN_CODES, ownError, type OwnCode } from '../../src/errors'
import { ROWS } from '../../src/kafka/errors'

const CLASS = {
  permanent: IntegrationError,
  payload: PayloadValidationError,
  credentials: InvalidAuthenticationError,
  retryable: RetryableError
}

describe('our error codes', () => {
  it.each(Object.keys(OWN_CODES) as OwnCode[])('%s is raised with its class, status and code', (code) => {
    const error = ownError(code, `about ${code}`)
    const { kind, status } = OWN_CODES[code]
    expect(error).toBeInstanceOf(CLASS[kind])
    expect(errorStatus(error)).toBe(status)
    expect(errorCode(error)).toBe(code)
    expect(error.message).toBe(`about ${code}`)
  })

  it('errorCode and errorStatus read any error', () => {
    expect(errorCode(new TypeError('x'))).toBe('TypeError')
    expect(errorCode({ code: 42 })).toBe('42')
    expect(errorCode(undefined)).toBe('UNKNOWN_ERROR')
    expect(errorStatus(new Error('x'))).toBe(500)
    expect(errorStatus(new IntegrationError('x', 'X', 403))).toBe(403)
  })

  it('every row of the Kafka error table has its own id', () => {
    const ids = ROWS.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
