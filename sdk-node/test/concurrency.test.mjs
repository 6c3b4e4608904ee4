// Many Promises in flight on one client at once: every one settles with its own
// answer, and the event loop keeps turning while they are pending.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { after, before, describe, test } from 'node:test'

import { Client, KimberliteError } from '../index.js'
import { startServer } from './server.mjs'

const STREAMS = 200

describe('many in-flight Promises', () => {
  let server
  let client
  before(async () => {
    server = await startServer()
    client = await Client.connect({ address: server.address })
  })
  after(async () => {
    await server?.stop()
  })

  test('concurrent creates, appends, reads and verified reads each get their own answer', async () => {
    let turns = 0
    let turning = true
    const spin = () => {
      turns += 1
      if (turning) setImmediate(spin)
    }
    setImmediate(spin)

    const names = Array.from({ length: STREAMS }, (_, i) => `concurrent-${i}`)
    const streams = await Promise.all(names.map((name) => client.createStream(name)))
    assert.equal(new Set(streams).size, STREAMS)
    const firsts = await Promise.all(
      streams.map((stream, i) => client.append(stream, [Buffer.from(`event ${i}`)], 0n)),
    )
    assert.ok(firsts.every((first) => first === 0n))
    const [reads, verified, lengths] = await Promise.all([
      Promise.all(streams.map((stream) => client.read(stream, 0n))),
      Promise.all(streams.map((stream) => client.readVerified(stream, 0n))),
      Promise.all(streams.map((stream) => client.streamLength(stream))),
    ])
    turning = false
    reads.forEach((read, i) => assert.equal(Buffer.from(read.events[0]).toString(), `event ${i}`))
    verified.forEach((read, i) => assert.equal(read.events[0].payload.toString(), `event ${i}`))
    assert.ok(lengths.every((length) => length === 1n))
    assert.ok(turns > 0, 'the event loop ran while calls were pending')
  })

  test('racing appends at the same offset: exactly one wins', async () => {
    const stream = await client.createStream('race')
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => client.append(stream, [Buffer.from(`${i}`)], 0n)),
    )
    const won = results.filter((result) => result.status === 'fulfilled')
    const lost = results.filter((result) => result.status === 'rejected')
    assert.equal(won.length, 1)
    assert.ok(lost.every((result) => result.reason.code === 'OffsetMismatch'))
    assert.equal(await client.streamLength(stream), 1n)
  })

  test('pending calls never block the event loop: only a timer can release them', async () => {
    // A listener that accepts and never answers: every connect stays pending until
    // the interval below, which can only fire if the event loop is free, drops the
    // sockets. Were the loop blocked, the connects would end by their own timeout
    // (ten minutes away) with code 'Timeout', not 'Connection'.
    const sockets = []
    const silent = createServer((socket) => sockets.push(socket))
    silent.listen(0, '127.0.0.1')
    await once(silent, 'listening')
    const address = `127.0.0.1:${silent.address().port}`
    const CALLS = 50
    const pending = Array.from({ length: CALLS }, () =>
      Client.connect({ address, connectTimeoutMs: 600_000, reconnectAttempts: 1 }).then(
        () => assert.fail('a silent server accepted a handshake'),
        (error) => error,
      ),
    )
    let ticks = 0
    const timer = setInterval(() => {
      ticks += 1
      if (ticks >= 20 && sockets.length === CALLS) {
        clearInterval(timer)
        for (const socket of sockets) socket.destroy()
        silent.close()
      }
    }, 5)
    const errors = await Promise.all(pending)
    assert.ok(ticks >= 20)
    for (const error of errors) {
      assert.ok(error instanceof KimberliteError, String(error))
      assert.equal(error.code, 'Connection', error.message)
    }
  })
})
