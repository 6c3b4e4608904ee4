// Tenant and API key administration against a server that requires tokens.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { Client, KimberliteError } from '../index.js'
import { startServer } from './server.mjs'

describe('administration with the admin token', () => {
  let server
  let admin
  before(async () => {
    server = await startServer({ development: false })
    assert.ok(server.token, 'init printed an admin token')
    admin = await Client.connect({ address: server.address, apiKey: server.token })
  })
  after(async () => {
    await server?.stop()
  })

  test('tenants are created and listed', async () => {
    assert.equal(await admin.createTenant(7n, 'acme'), 7n)
    const tenants = await admin.listTenants()
    assert.ok(tenants.some((tenant) => tenant.id === 7n && tenant.name === 'acme'))
  })

  test('an API key works for its tenant until it is revoked', async () => {
    await admin.createTenant(8n, 'globex')
    const created = await admin.createApiKey(8n, 'app')
    assert.ok(created.keyId.length > 0)
    assert.ok(created.secret.length > 0)
    const keys = await admin.listApiKeys(8n)
    const listed = keys.find((key) => key.keyId === created.keyId)
    assert.equal(listed.label, 'app')
    assert.equal(listed.revoked, false)
    assert.equal(typeof listed.createdNs, 'bigint')

    const app = await Client.connect({ address: server.address, tenant: 8n, apiKey: created.secret })
    const stream = await app.createStream('events')
    assert.equal(await app.append(stream, [Buffer.from('hello')], 0n), 0n)

    assert.equal(await admin.revokeApiKey(created.keyId), true)
    assert.equal(await admin.revokeApiKey(created.keyId), false)
    const revoked = (await admin.listApiKeys(8n)).find((key) => key.keyId === created.keyId)
    assert.equal(revoked.revoked, true)
    await assert.rejects(
      Client.connect({ address: server.address, tenant: 8n, apiKey: created.secret }),
      { code: 'AuthenticationFailed' },
    )
  })

  test('connecting without a token fails with AuthenticationFailed', async () => {
    const error = await Client.connect({ address: server.address }).catch((caught) => caught)
    assert.ok(error instanceof KimberliteError)
    assert.equal(error.code, 'AuthenticationFailed')
  })
})
