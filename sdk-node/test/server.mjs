// Starts a real Kimberlite server for the tests (`kimberlite init` then
// `kimberlite start --address 127.0.0.1:0`) and stops it with SIGTERM.
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
export const repoRoot = join(packageDir, '..')
export const binary = process.env.KIMBERLITE_BIN ?? join(repoRoot, 'target', 'debug', 'kimberlite')

/** A temporary directory removed by `cleanup`. */
export function tempDir(prefix = 'kimberlite-node-') {
  return mkdtempSync(join(tmpdir(), prefix))
}

/**
 * Starts a server over a fresh data directory. In development mode a tenant is
 * created on its first request and no token is needed; otherwise `token` is the
 * admin token `init` printed. `prepare(data)`, when given, runs on the initialised
 * data directory before the server starts (to add files or configuration).
 */
export async function startServer({ development = true, prepare } = {}) {
  const dir = tempDir()
  const data = join(dir, 'data')
  const args = ['init', data]
  if (development) args.push('--development')
  const printed = execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const token = /admin token: (\S+)/.exec(printed)?.[1]
  if (prepare) prepare(data)
  const child = spawn(binary, ['start', '--address', '127.0.0.1:0', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const address = await new Promise((resolve, reject) => {
    let stdout = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const match = /kimberlite listening on (\S+)/.exec(stdout)
      if (match) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${stderr}`)))
  })
  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  return { address, token, dir, data, child, stop }
}
