import { brokerAddresses, formatBroker, formatBrokers, parseBroker, parseBrokers } from '../../src/brokers'

describe('brokers', () => {
  it('parses host names, IPv4 and bracketed IPv6 into addresses', () => {
    expect(parseBrokers('B1.example.com:9092, 10.0.0.1:1 [2001:DB8::1]:9093').brokers).toEqual([
      { host: 'b1.example.com', port: 9092, ipv6: false },
      { host: '10.0.0.1', port: 1, ipv6: false },
      { host: '2001:db8::1', port: 9093, ipv6: true }
    ])
  })

  it('writes addresses back as host:port, IPv6 in brackets', () => {
    const brokers = brokerAddresses('[::1]:9092,h:1')
    expect(brokers.map(formatBroker)).toEqual(['[::1]:9092', 'h:1'])
    expect(formatBrokers(brokers)).toBe('[::1]:9092, h:1')
    expect(formatBrokers(brokers, ',')).toBe('[::1]:9092,h:1')
  })

  it('an entry that is not host:port says why', () => {
    expect(parseBroker('::1:9092')).toMatch(/brackets/)
    expect(parseBroker('h:0')).toMatch(/between 1 and 65535/)
  })

  it('brokerAddresses throws on a list known to be valid that is not', () => {
    expect(() => brokerAddresses('nohost')).toThrow('"nohost" (missing port')
  })
})
