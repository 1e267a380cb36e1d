import * as fs from 'node:fs'
import * as path from 'node:path'
import { fields } from '../../src/send/fields'

// The keys are checked at compile time (payload.ts); the comments are the fields' descriptions.
describe('payload.ts is in step with fields.ts', () => {
  const source = fs.readFileSync(path.join(__dirname, '../../src/send/payload.ts'), 'utf8')
  it.each(Object.entries(fields))('%s: its description and whether it is required', (name, field) => {
    expect(source).toContain(`   * ${field.description}\n   */\n  ${name}${'required' in field ? '' : '?'}:`)
  })
})
