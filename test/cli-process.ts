import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Helpers for end-to-end tests that run the real `custodian` command as a user would. */
// The nearest folder with a package.json: the repository, whether this module runs from
// test/ or compiled into another folder (.bench-build/test/ for the benchmarks).
const repositoryRoot = nearestPackageRoot(new URL('./', import.meta.url))

function nearestPackageRoot(folder: URL): URL {
  if (existsSync(new URL('package.json', folder))) return folder
  const parent = new URL('../', folder)
  if (parent.href === folder.href) throw new Error('No package.json above the test helpers')
  return nearestPackageRoot(parent)
}
export const binPath = fileURLToPath(new URL('bin/custodian.js', repositoryRoot))

export interface ServeProcess {
  child: ChildProcess
  url: string
  /** Every stdout line so far (JSON log lines). */
  output: string[]
  exited: Promise<number | null>
}

/**
 * Starts `custodian serve --port 0` and waits until it says where it listens. `bin` is
 * this checkout's command unless another is named (the upgrade fixture runs an older
 * release's).
 */
export async function startServeProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  bin: string = binPath,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  let errors = ''
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString()
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running behind a failed test, holding its data directory.
      child.kill('SIGKILL')
      reject(new Error(`serve did not start in time: ${errors}`))
    }, 20_000)
    timer.unref()
    let buffered = ''
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        output.push(line)
        const match = /"url":"(http[^"]+)"/.exec(line)
        if (match?.[1]) {
          clearTimeout(timer)
          resolve(match[1])
        }
      }
    })
    void exited.then((code) =>
      reject(new Error(`serve exited with ${code} before listening: ${errors}`)),
    )
  })
  return { child, url, output, exited }
}

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  bin: string = binPath,
): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}
