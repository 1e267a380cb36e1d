import { checkPrerequisites } from '../../scripts/broker/broker'

describe('broker prerequisites', () => {
  it('says in one sentence what to install when Java is missing', () => {
    expect(() => checkPrerequisites({ PATH: '/nonexistent' })).toThrow(
      /^Java 17 or newer is required to run the test broker: install it/
    )
  })

  it('passes on this machine', () => {
    expect(() => checkPrerequisites()).not.toThrow()
  })
})
