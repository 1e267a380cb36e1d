import { layout, serverProperties } from '../../scripts/broker/broker'

describe('broker server.properties', () => {
  it('puts every listener on its port and lets overrides replace defaults', () => {
    const props = serverProperties(
      layout({
        dir: '/tmp/x',
        ports: { plaintext: 1, sasl: 2, ssl: 3, saslSsl: 4, controller: 5 },
        overrides: { 'connections.max.idle.ms': 5000 }
      })
    )
    expect(props).toContain(
      'listeners=PLAINTEXT://127.0.0.1:1,SASL_PLAINTEXT://127.0.0.1:2,SSL://127.0.0.1:3,SASL_SSL://127.0.0.1:4,CONTROLLER://127.0.0.1:5'
    )
    expect(props).toContain('connections.max.idle.ms=5000')
    expect(props).toContain('sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512')
    expect(props).toContain('log.dirs=/tmp/x/data')
  })
})
