// Every call of the Client against a real development server, and the errors a
// caller sees (KimberliteError with the code's name).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { Client, KimberliteError, Subscription, errorCodes, verify } from '../index.js'
import { startServer, tempDir } from './server.mjs'

const text = (buffer) => Buffer.from(buffer).toString()

describe('client against a development server', () => {
  let server
  let client
  before(async () => {
    server = await startServer()
    client = await Client.connect({ address: server.address, tenant: 1n })
  })
  after(async () => {
    await server?.stop()
  })

  test('connect reports the tenant and address', () => {
    assert.equal(client.tenant, 1n)
    assert.equal(client.address, server.address)
  })

  test('createStream returns the same id for the same name', async () => {
    const first = await client.createStream('orders', 'PII', 'Global')
    const again = await client.createStream('orders')
    assert.equal(typeof first, 'bigint')
    assert.equal(again, first)
    const other = await client.createStream('payments', 'Financial')
    assert.notEqual(other, first)
  })

  test('append, streamLength, read and readVerified round trip', async () => {
    const stream = await client.createStream('round-trip')
    const first = await client.append(stream, [Buffer.from('one'), new Uint8Array([116, 119, 111])], 0n)
    assert.equal(first, 0n)
    assert.equal(await client.append(stream, [Buffer.from('three')], 2n), 2n)
    assert.equal(await client.streamLength(stream), 3n)

    const read = await client.read(stream, 1n)
    assert.deepEqual(read.events.map(text), ['two', 'three'])
    assert.ok(Buffer.isBuffer(read.events[0]))
    assert.equal(read.nextOffset, 3n)
    const past = await client.read(stream, 3n, 1024)
    assert.deepEqual(past.events, [])
    assert.equal(past.nextOffset, null)

    const verified = await client.readVerified(stream, 0n)
    assert.deepEqual(verified.events.map((event) => text(event.payload)), ['one', 'two', 'three'])
    assert.deepEqual(verified.events.map((event) => event.offset), [0n, 1n, 2n])
    assert.ok(verified.events.every((event) => event.kind === 'Event' && event.timestampNs > 0n))
    assert.equal(verified.nextOffset, 3n)
    assert.equal(verified.checkpoint.size, 3n)
    assert.equal(verified.checkpoint.root.length, 32)
    assert.match(verified.checkpoint.origin, /\/tenant\/1\/stream\//)
  })

  test('read and readVerified give every event exactly its own bytes', async () => {
    // The addon packs a read's payloads into one Buffer; each event is a view of it.
    const payloads = ['', 'a', 'bb', '', 'c'.repeat(3000), 'dd'].map((text) => Buffer.from(text))
    const stream = await client.createStream('packed')
    await client.append(stream, payloads, 0n)

    const read = await client.read(stream, 0n)
    assert.deepEqual(read.events, payloads)
    assert.ok(read.events.every((event) => Buffer.isBuffer(event)))
    read.events[1].fill(0x7a)
    assert.deepEqual(read.events.map(text), ['', 'z', 'bb', '', 'c'.repeat(3000), 'dd'])

    const verified = await client.readVerified(stream, 1n)
    assert.deepEqual(
      verified.events.map((event) => [event.offset, text(event.payload)]),
      payloads.slice(1).map((payload, i) => [BigInt(i + 1), text(payload)]),
    )
    assert.ok(verified.events.every((event) => Buffer.isBuffer(event.payload)))
    assert.deepEqual(Object.keys(verified.events[0]), ['offset', 'timestampNs', 'kind', 'payload'])
    const times = verified.events.map((event) => event.timestampNs)
    assert.ok(times.every((time, i) => typeof time === 'bigint' && (i === 0 || time >= times[i - 1])))
    assert.equal(verified.nextOffset, 6n)
  })

  test('checkpoint and consistencyProof agree with the verification functions', async () => {
    const { verify } = await import('../index.js')
    const stream = await client.createStream('proofs')
    await client.append(stream, [Buffer.from('a'), Buffer.from('b')], 0n)
    const small = await client.checkpoint(stream)
    await client.append(stream, [Buffer.from('c'), Buffer.from('d'), Buffer.from('e')], 2n)
    const large = await client.checkpoint(stream)
    assert.equal(small.size, 2n)
    assert.equal(large.size, 5n)
    const proof = await client.consistencyProof(stream, 2n, 5n)
    assert.ok(proof.length > 0)
    verify.checkConsistency(small, large, proof)
    const forged = { ...large, root: Buffer.alloc(32, 7) }
    assert.throws(() => verify.checkConsistency(small, forged, proof), { code: 'Fork' })
  })

  test('sync, serverInfo and serverCapabilities', async () => {
    await client.sync()
    const info = await client.serverInfo()
    assert.equal(info.protocolVersion, 5)
    assert.match(info.signingKey, /^[^+]+\+[0-9a-f]{8}\+/)
    assert.ok(info.capabilities.includes('kmb.verify/1'))
    const capabilities = await client.serverCapabilities()
    assert.ok(capabilities.includes('kmb.ext/1'))
  })

  test('a subscription is an async iterator; leaving the loop cancels it', async () => {
    const stream = await client.createStream('followed')
    await client.append(stream, [Buffer.from('e0'), Buffer.from('e1')], 0n)
    const subscription = await client.subscribe(stream, 0n, { credits: 2 })
    assert.ok(subscription instanceof Subscription)
    assert.equal(subscription.startOffset, 0n)
    const seen = []
    const appendLater = client.append(stream, [Buffer.from('e2'), Buffer.from('e3')], 2n)
    for await (const event of subscription) {
      seen.push([event.offset, text(event.payload)])
      if (seen.length === 4) break
    }
    await appendLater
    assert.deepEqual(seen, [
      [0n, 'e0'],
      [1n, 'e1'],
      [2n, 'e2'],
      [3n, 'e3'],
    ])
    assert.equal(await subscription.next(), null)
  })

  test('cancel ends a pending next() with null', async () => {
    const stream = await client.createStream('quiet')
    const subscription = await client.subscribe(stream, 0n)
    const pending = subscription.next()
    await subscription.cancel()
    assert.equal(await pending, null)
  })

  test('state directory keeps the trusted checkpoint across clients', async () => {
    const stateDirectory = tempDir('kimberlite-node-state-')
    const stream = await client.createStream('trusted')
    await client.append(stream, [Buffer.from('x')], 0n)
    const first = await Client.connect({ address: server.address, stateDirectory })
    assert.equal((await first.readVerified(stream, 0n)).checkpoint.size, 1n)
    await client.append(stream, [Buffer.from('y')], 1n)
    const second = await Client.connect({ address: server.address, stateDirectory })
    const read = await second.readVerified(stream, 1n)
    assert.deepEqual(read.events.map((event) => text(event.payload)), ['y'])
  })

  test("the state directory has core's layout (docs/client.md), shared with every SDK", async () => {
    const stateDirectory = tempDir('kimberlite-node-layout-')
    const stream = await client.createStream('layout')
    await client.append(stream, [Buffer.from('a'), Buffer.from('b')], 0n)
    const reader = await Client.connect({ address: server.address, stateDirectory })
    const read = await reader.readVerified(stream, 0n)
    const key = (await reader.serverInfo()).signingKey
    const pinned = readFileSync(join(stateDirectory, 'keys', Buffer.from(server.address).toString('hex')), 'utf8')
    assert.equal(pinned, `${key}\n`)
    const keyId = key.split('+')[1]
    const stored = readFileSync(join(stateDirectory, 'checkpoints', keyId, `1-${stream}`), 'utf8')
    const header = `kimberlite trusted checkpoint v1\nkey ${key}\n`
    assert.ok(stored.startsWith(header), stored)
    const opened = verify.openSignedCheckpoint(stored.slice(header.length), key, verify.streamOrigin(key, 1n, stream))
    assert.equal(opened.size, read.checkpoint.size)
    assert.deepEqual([...opened.root], [...read.checkpoint.root])
  })
})

describe('errors', () => {
  let server
  let client
  before(async () => {
    server = await startServer()
    client = await Client.connect({ address: server.address })
  })
  after(async () => {
    await server?.stop()
  })

  test('a server refusal is a KimberliteError named by its code', async () => {
    const stream = await client.createStream('errors')
    await client.append(stream, [Buffer.from('a')], 0n)
    const error = await client.append(stream, [Buffer.from('b')], 0n).catch((caught) => caught)
    assert.ok(error instanceof KimberliteError)
    assert.ok(error instanceof Error)
    assert.equal(error.code, 'OffsetMismatch')
    assert.equal(error.retryable, false)
    assert.equal(error.number, errorCodes().find((info) => info.name === 'OffsetMismatch').number)
    assert.doesNotMatch(error.message, /^\[/)
  })

  test('an unknown stream is StreamNotFound', async () => {
    await assert.rejects(client.read(987654n, 0n), { name: 'KimberliteError', code: 'StreamNotFound' })
  })

  test('arguments refused before sending are InvalidArgument', async () => {
    const stream = await client.createStream('arguments')
    await assert.rejects(client.append(stream, [], 0n), { code: 'InvalidArgument' })
    await assert.rejects(client.subscribe(stream, 0n, { credits: 0 }), { code: 'InvalidArgument' })
    await assert.rejects(client.read(-1n, 0n), { code: 'InvalidArgument' })
    await assert.rejects(async () => client.read(1, 0n), { code: 'InvalidArgument' })
  })

  test('a server that is not there is a retryable Connection error', async () => {
    const closed = await startServer()
    await closed.stop()
    const error = await Client.connect({ address: closed.address, connectTimeoutMs: 2000 }).catch(
      (caught) => caught,
    )
    assert.ok(error instanceof KimberliteError)
    assert.equal(error.code, 'Connection')
    assert.equal(error.retryable, true)
  })

  test('a pinned key the server does not sign with fails verification', async () => {
    const pinned = 'db.kimberlite.test+8e76714d+AcOeWh7NBHUCt4Hn+HBfvVUX1gAjMoAhTyssv9gutYKa'
    const other = await Client.connect({ address: server.address, serverKey: pinned })
    const stream = await other.createStream('pinned')
    await other.append(stream, [Buffer.from('a')], 0n)
    const error = await other.readVerified(stream, 0n).catch((caught) => caught)
    assert.ok(error instanceof KimberliteError)
    assert.equal(error.code, 'UnknownKey')
  })

  test('error codes list numbers and retryability', () => {
    const byName = new Map(errorCodes().map((info) => [info.name, info]))
    assert.equal(byName.get('Timeout').number, 1001)
    assert.equal(byName.get('Timeout').retryable, true)
    assert.equal(byName.get('Fork').number, 1102)
    assert.equal(byName.get('Fork').retryable, false)
  })
})
