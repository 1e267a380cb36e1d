import { checkBounds } from '../../src/send/fields'

describe('checkBounds: the minimum and maximum of integer fields, which actions-core does not check', () => {
  it.each([
    [{ partition: -1 }, 'partition must be at least 0, got -1.'],
    [{ default_partition: -3 }, 'default_partition must be at least 0, got -3.'],
    [{ request_timeout: 5 }, 'request_timeout must be from 100 to 30000, got 5.'],
    [{ batch_size: 0 }, 'batch_size must be from 1 to 10000, got 0.'],
    [{ batch_size: 100000 }, 'batch_size must be from 1 to 10000, got 100000.'],
    [{ batch_bytes: 10 }, 'batch_bytes must be from 1024 to 104857600, got 10.']
  ])('%j is a 400 naming the field', (payload, message) => {
    expect(() => checkBounds(payload)).toThrow(message)
    expect(() => checkBounds(payload)).toThrow(expect.objectContaining({ status: 400 }))
  })

  it('values inside the bounds, and absent ones, pass', () => {
    expect(() =>
      checkBounds({ partition: 0, request_timeout: 30000, batch_size: 1000, batch_bytes: 1024 })
    ).not.toThrow()
    expect(() => checkBounds({ topic: 't' })).not.toThrow()
  })
})
