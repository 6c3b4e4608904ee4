// The shared scenarios of tests/scenarios, run with the Node client against one
// authenticating server; the results go to target/scenario-results/node.json.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe, test } from 'node:test'

import { Client, KimberliteError } from '../index.js'
import { binary, repoRoot, startServer, tempDir } from './server.mjs'

const scenariosDir = join(repoRoot, 'tests', 'scenarios')
const resultsFile = join(repoRoot, 'target', 'scenario-results', 'node.json')
const firstTenant = 50000
const wholeVariable = /^\$([A-Za-z_][A-Za-z0-9_]*)$/
const inlineVariable = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Every scenario as [`file/name`, steps with the fixture's first]. */
function load() {
  const fixtures = JSON.parse(readFileSync(join(scenariosDir, 'fixtures.json'), 'utf8')).fixtures
  const found = []
  for (const file of readdirSync(scenariosDir).filter((f) => f.endsWith('.json')).sort()) {
    if (file === 'fixtures.json') continue
    const stem = file.slice(0, -'.json'.length)
    for (const scenario of JSON.parse(readFileSync(join(scenariosDir, file), 'utf8')).scenarios) {
      const prefix = scenario.fixture === undefined ? [] : fixtures[scenario.fixture]
      found.push([`${stem}/${scenario.name}`, [...prefix, ...scenario.steps]])
    }
  }
  return found
}

/** A result as plain JSON values: bigints become numbers, Buffers text. */
function plain(value) {
  if (typeof value === 'bigint') return Number(value)
  if (Buffer.isBuffer(value)) return value.toString()
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]))
  }
  return value
}

/** Objects match when every expected key matches; arrays element by element. */
function matches(expected, actual) {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => matches(e, actual[i]))
  }
  if (expected !== null && typeof expected === 'object') {
    return actual !== null && typeof actual === 'object' && Object.entries(expected).every(([key, value]) => key in actual && matches(value, actual[key]))
  }
  return expected === actual
}

/** A SQL parameter: integers are BIGINT. */
function sqlValue(value) {
  return Number.isInteger(value) ? BigInt(value) : value
}

function clockText(date) {
  return date.toISOString().replace('T', ' ').replace('Z', '')
}

/**
 * A second server with the signing key, node name and admin token of `main` and an
 * empty log: the fork of the forked-checkpoint mode.
 */
async function startFork(main) {
  const dir = tempDir('kimberlite-node-fork-')
  const data = join(dir, 'data')
  execFileSync(binary, ['init', data], { stdio: 'ignore' })
  for (const name of ['kimberlite.toml', 'keys/signing.key', 'keys/admin.token']) {
    copyFileSync(join(main.data, name), join(data, name))
  }
  const child = spawn(binary, ['start', '--address', '127.0.0.1:0', data], { stdio: ['ignore', 'pipe', 'ignore'] })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  let address = null
  for await (const line of createInterface({ input: child.stdout })) {
    address = /^kimberlite listening on (\S+)/.exec(line)?.[1] ?? null
    if (address !== null) break
  }
  child.stdout.resume()
  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  if (address === null) {
    await stop()
    throw new Error('the fork server exited before listening')
  }
  return { address, stop }
}

class Runner {
  constructor(server, fork, tenant) {
    this.server = server
    this.variables = { server: server.address, admin_token: server.token, tenant, fork_server: fork.address }
    this.clients = new Map()
    this.subscriptions = new Map()
    this.proxies = []
  }

  resolve(value) {
    if (typeof value === 'string') {
      const whole = wholeVariable.exec(value)
      if (whole) return this.variable(whole[1])
      return value.replace(inlineVariable, (_, name) => String(this.variable(name)))
    }
    if (Array.isArray(value)) return value.map((item) => this.resolve(item))
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item)]))
    }
    return value
  }

  variable(name) {
    if (!(name in this.variables)) throw new Error(`unknown variable $${name}`)
    return this.variables[name]
  }

  async close() {
    for (const subscription of this.subscriptions.values()) await subscription.cancel()
    for (const proxy of this.proxies) {
      if (proxy.exitCode === null && proxy.signalCode === null) {
        const exited = new Promise((resolve) => proxy.once('exit', resolve))
        proxy.kill('SIGTERM')
        await exited
      }
    }
  }

  async run(steps) {
    for (const [index, step] of steps.entries()) {
      const where = `step ${index + 1} (${step.op})`
      const args = this.resolve(step.args ?? {})
      const expect = this.resolve(step.expect ?? {})
      let result
      try {
        result = plain(await this.call(step.op, args))
      } catch (error) {
        if (!(error instanceof KimberliteError)) throw error
        const allowed = [expect.error].flat()
        if (!allowed.includes(error.code)) {
          throw new Error(`${where}: ${error.code}: ${error.message} (expected ${expect.error ?? 'success'})`)
        }
        continue
      }
      if ('error' in expect) throw new Error(`${where}: succeeded with ${JSON.stringify(result)}, expected ${expect.error}`)
      if ('result' in expect && !matches(expect.result, result)) {
        throw new Error(`${where}: got ${JSON.stringify(result)}, expected ${JSON.stringify(expect.result)}`)
      }
      if (typeof step.save === 'string') this.variables[step.save] = result
      else if (step.save) for (const [name, field] of Object.entries(step.save)) this.variables[name] = result[field]
    }
  }

  async call(op, args) {
    const name = args.client ?? 'main'
    switch (op) {
      case 'connect':
        this.clients.set(
          name,
          await Client.connect({
            address: args.address ?? this.server.address,
            tenant: BigInt(args.tenant),
            apiKey: args.token,
            requestTimeoutMs: 20000,
          }),
        )
        return null
      case 'close':
        this.clients.delete(name)
        return null
      case 'clock': {
        await sleep(20)
        const now = clockText(new Date())
        await sleep(20)
        return now
      }
      case 'start_proxy':
        return this.startProxy(args)
      case 'next_events': {
        const subscription = this.subscriptions.get(args.subscription)
        const events = []
        for (let i = 0; i < args.count; i++) {
          const event = await subscription.next()
          if (event === null) throw new Error(`the subscription ended after ${events.length} events`)
          events.push({ offset: event.offset, payload: event.payload })
        }
        return events
      }
      case 'unsubscribe':
        await this.subscriptions.get(args.subscription).cancel()
        this.subscriptions.delete(args.subscription)
        return null
      default:
        return this.clientCall(this.clients.get(name), op, args)
    }
  }

  async clientCall(client, op, args) {
    switch (op) {
      case 'create_tenant':
        return client.createTenant(BigInt(args.tenant), args.name)
      case 'create_api_key':
        return client.createApiKey(BigInt(args.tenant), args.label)
      case 'create_stream':
        return client.createStream(args.name)
      case 'stream_length':
        return client.streamLength(BigInt(args.stream))
      case 'append':
        return client.append(
          BigInt(args.stream),
          args.events.map((event) => Buffer.from(event)),
          BigInt(args.expected_offset),
        )
      case 'read': {
        const read = await client.read(BigInt(args.stream), BigInt(args.from))
        return { events: read.events, next_offset: read.nextOffset }
      }
      case 'read_verified': {
        const read = await client.readVerified(BigInt(args.stream), BigInt(args.from))
        return {
          events: read.events.map((event) => ({ offset: event.offset, payload: event.payload })),
          next_offset: read.nextOffset,
          checkpoint_size: read.checkpoint.size,
        }
      }
      case 'checkpoint':
        return { size: (await client.checkpoint(BigInt(args.stream))).size }
      case 'subscribe':
        this.subscriptions.set(
          args.subscription,
          await client.subscribe(BigInt(args.stream), BigInt(args.from), { credits: args.credits ?? 64 }),
        )
        return null
      case 'execute': {
        const done = await client.execute(args.sql, (args.params ?? []).map(sqlValue))
        return { rows_affected: done.rowsAffected, log_offset: done.logOffset }
      }
      case 'query':
        return client.query(args.sql, (args.params ?? []).map(sqlValue))
      case 'query_at':
        return client.queryAt(args.sql, (args.params ?? []).map(sqlValue), BigInt(args.position))
      default:
        throw new Error(`unknown operation ${op}`)
    }
  }

  async startProxy(args) {
    const binary = process.env.KIMBERLITE_TAMPER_PROXY_BIN ?? join(repoRoot, 'target', 'debug', 'kimberlite-tamper-proxy')
    const argv = ['--upstream', this.server.address, '--mode', args.mode, '--listen', '127.0.0.1:0']
    if (args.fork_upstream !== undefined) argv.push('--fork-upstream', args.fork_upstream)
    const proxy = spawn(binary, argv, { stdio: ['ignore', 'pipe', 'inherit'] })
    this.proxies.push(proxy)
    const exited = new Promise((resolve) => proxy.once('exit', resolve))
    for await (const line of createInterface({ input: proxy.stdout })) {
      const found = /^proxy listening on (\S+)/.exec(line.trim())
      if (found) {
        proxy.stdout.resume()
        return found[1]
      }
    }
    throw new Error(`the proxy exited with ${await exited} before listening`)
  }
}

describe('shared scenarios (tests/scenarios)', () => {
  const scenarios = load()
  const outcomes = {}
  let server
  let fork
  before(async () => {
    server = await startServer({ development: false })
    fork = await startFork(server)
  })
  after(async () => {
    await fork?.stop()
    await server?.stop()
    mkdirSync(join(resultsFile, '..'), { recursive: true })
    const sorted = Object.fromEntries(Object.entries(outcomes).sort(([a], [b]) => (a < b ? -1 : 1)))
    writeFileSync(resultsFile, `${JSON.stringify(sorted, null, 2)}\n`)
  })

  for (const [index, [name, steps]] of scenarios.entries()) {
    test(name, { timeout: 60000 }, async () => {
      const runner = new Runner(server, fork, firstTenant + index)
      let failure = null
      try {
        await runner.run(steps)
      } catch (error) {
        failure = `${error.name}: ${error.message}`
      } finally {
        await runner.close()
      }
      outcomes[name] = { pass: failure === null, message: failure ?? '' }
      assert.equal(failure, null)
    })
  }
})
