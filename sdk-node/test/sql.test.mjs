// SQL through the client against a real server: statements, parameters of every
// JavaScript kind (bigint beyond 2^53 included), typed results, and time travel
// with queryAt.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { Client, KimberliteError } from '../index.js'
import { startServer } from './server.mjs'

describe('SQL', () => {
  let server
  let client
  before(async () => {
    server = await startServer()
    client = await Client.connect({ address: server.address })
    await client.execute('CREATE TABLE patients (id BIGINT PRIMARY KEY, name TEXT, score REAL, active BOOLEAN, photo BYTES)')
  })
  after(async () => {
    await server?.stop()
  })

  test('execute, query with parameters, and queryAt', async () => {
    const insert = 'INSERT INTO patients (id, name, score, active, photo) VALUES ($1, $2, $3, $4, $5)'
    const first = await client.execute(insert, [1n, 'Ada', 9.5, true, Buffer.from([1, 2])])
    assert.equal(first.rowsAffected, 1n)
    assert.equal(typeof first.logOffset, 'bigint')
    const second = await client.execute(insert, [2, 'Grace', null, false, null])
    assert.equal(second.rowsAffected, 1n)

    const all = await client.query('SELECT id, name, score, active, photo FROM patients ORDER BY id')
    assert.deepEqual(all.columns, ['id', 'name', 'score', 'active', 'photo'])
    assert.deepEqual(all.rows[0].slice(0, 4), [1n, 'Ada', 9.5, true])
    assert.deepEqual([...all.rows[0][4]], [1, 2])
    assert.deepEqual(all.rows[1], [2n, 'Grace', null, false, null])

    const one = await client.query('SELECT name FROM patients WHERE id = $1', [2n])
    assert.deepEqual(one.rows, [['Grace']])

    const before = await client.queryAt('SELECT id FROM patients ORDER BY id', [], first.logOffset)
    assert.deepEqual(before.rows, [[1n]])

    await assert.rejects(client.query('SELECT * FROM nowhere'), (error) => error instanceof KimberliteError)
  })

  test('64-bit integers keep every digit as bigint', async () => {
    const big = 2n ** 62n + 1n
    await client.execute('INSERT INTO patients (id, name) VALUES ($1, $2)', [big, 'Big'])
    const back = await client.query('SELECT id, name FROM patients WHERE id = $1', [big])
    assert.deepEqual(back.rows, [[big, 'Big']])
    await client.execute('INSERT INTO patients (id, name) VALUES ($1, $2)', [-big, 'Negative'])
    const negative = await client.query('SELECT id FROM patients WHERE id < $1', [0n])
    assert.deepEqual(negative.rows, [[-big]])
  })

  test('audit metadata of the options and of withAudit reaches kimberlite_audit', async () => {
    const service = await Client.connect({ address: server.address, tenant: 2n, audit: { actor: 'svc.intake' } })
    await service.execute('CREATE TABLE visits (id BIGINT PRIMARY KEY, note TEXT)')
    const doctor = service.withAudit({ actor: 'dr.ada', reason: 'treatment', correlationId: 'visit-42' })
    assert.equal(doctor.tenant, 2n)
    await doctor.execute('INSERT INTO visits (id, note) VALUES ($1, $2)', [1n, 'seen'])
    await service.execute('UPDATE visits SET note = $1 WHERE id = $2', ['billed', 1n])
    const audit = await service.query('SELECT actor, reason, correlation_id, statement FROM kimberlite_audit ORDER BY position')
    assert.deepEqual(audit.rows, [
      ['svc.intake', null, null, 'CREATE TABLE'],
      ['dr.ada', 'treatment', 'visit-42', 'INSERT'],
      ['svc.intake', null, null, 'UPDATE'],
    ])
  })
})
