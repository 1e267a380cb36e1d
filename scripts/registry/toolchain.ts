/** Fetches the ready-built Apicurio Registry app from Maven Central with Maven, once per checkout. */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

export class RegistryError extends Error {}

/** The jar `java -jar` runs, inside the unpacked app. */
export const APP_JAR = 'quarkus-run.jar'
const POM = path.join(__dirname, 'pom.xml')

/** The app version the pom fetches (the stamp records it, so a version change fetches again). */
function appVersion(): string {
  const version = /<apicurio\.version>([^<]+)</.exec(fs.readFileSync(POM, 'utf8'))?.[1]
  if (!version) throw new RegistryError(`no <apicurio.version> in ${POM}`)
  return version
}

export function ensureApp(app: string): void {
  const stamp = path.join(app, '.complete')
  const version = appVersion()
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === version) return
  if (spawnSync('mvn', ['-v']).error)
    throw new RegistryError(
      'Maven is required to fetch Apicurio Registry from Maven Central: install it (apt-get install -y maven).'
    )
  // Unpacked aside and moved into place, so a registry starting meanwhile never sees half an app.
  const unpacking = `${app}.${process.pid}`
  fs.rmSync(unpacking, { recursive: true, force: true })
  process.stderr.write(`[registry] fetching Apicurio Registry ${version} from Maven Central into ${app} ...\n`)
  const result = spawnSync('mvn', ['-q', '-B', '-f', POM, 'validate', `-Dregistry.unpackDir=${unpacking}`], {
    encoding: 'utf8'
  })
  if (result.status !== 0 || !fs.existsSync(path.join(unpacking, APP_JAR))) {
    fs.rmSync(unpacking, { recursive: true, force: true })
    throw new RegistryError(
      `mvn could not fetch Apicurio Registry:\n${(result.stdout + result.stderr).trim().split('\n').slice(-20).join('\n')}`
    )
  }
  fs.writeFileSync(path.join(unpacking, '.complete'), version)
  fs.rmSync(app, { recursive: true, force: true })
  try {
    fs.renameSync(unpacking, app)
  } catch (error) {
    // Another start unpacked the same app at the same moment: keep its copy.
    fs.rmSync(unpacking, { recursive: true, force: true })
    if (!fs.existsSync(stamp)) throw error
  }
}
