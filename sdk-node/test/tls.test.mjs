// TLS: a server whose data directory has a [tls] section (a throwaway certificate
// made with the openssl command) is reached with the certificate as the trusted
// root; a wrong root or server name fails with a KimberliteError of code
// 'Connection' that names the certificate problem.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { Client, KimberliteError } from '../index.js'
import { startServer } from './server.mjs'

const LEAF_CONFIG = `[req]
distinguished_name = dn
x509_extensions = leaf
prompt = no
[dn]
CN = localhost
[leaf]
basicConstraints = critical, CA:FALSE
subjectAltName = DNS:localhost, IP:127.0.0.1
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
`

/** Writes cert.pem and key.pem (P-256, for localhost and 127.0.0.1) into `dir`. */
function makeCertificate(dir) {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'leaf.cnf'), LEAF_CONFIG)
  execFileSync('openssl', [
    'req', '-x509', '-config', join(dir, 'leaf.cnf'), '-newkey', 'ec',
    '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  return new X509Certificate(readFileSync(join(dir, 'cert.pem'))).raw
}

describe('TLS', () => {
  let server
  let root
  before(async () => {
    server = await startServer({
      prepare(data) {
        root = makeCertificate(join(data, 'tls'))
        appendFileSync(join(data, 'kimberlite.toml'), '\n[tls]\ncert = "tls/cert.pem"\nkey = "tls/key.pem"\n')
      },
    })
  })
  after(async () => {
    await server?.stop()
  })

  test('a verified round trip over TLS, by address host and by server name', async () => {
    for (const [i, tls] of [{ rootCertificates: [root] }, { rootCertificates: [root], serverName: 'localhost' }].entries()) {
      const client = await Client.connect({ address: server.address, tls })
      const stream = await client.createStream(`over-tls-${i}`)
      await client.append(stream, [Buffer.from('sealed')], 0n)
      const read = await client.readVerified(stream, 0n)
      assert.equal(read.events[0].payload.toString(), 'sealed')
    }
  })

  test('a wrong root or server name is a Connection error naming the certificate', async () => {
    const other = makeCertificate(join(server.dir, 'other'))
    const cases = [
      [{ rootCertificates: [other] }, /invalid peer certificate/],
      [{ rootCertificates: [root], serverName: 'db.example.org' }, /not valid for name/],
    ]
    for (const [tls, detail] of cases) {
      await assert.rejects(Client.connect({ address: server.address, tls, reconnectAttempts: 1 }), (error) => {
        assert.ok(error instanceof KimberliteError, String(error))
        assert.equal(error.code, 'Connection')
        assert.match(error.message, /TLS/)
        assert.match(error.message, detail)
        return true
      })
    }
  })

  test('plain TCP to the TLS server fails', async () => {
    await assert.rejects(Client.connect({ address: server.address, connectTimeoutMs: 5000 }), KimberliteError)
  })

  test('TLS without a root certificate is refused before connecting', async () => {
    await assert.rejects(Client.connect({ address: '127.0.0.1:1', tls: { rootCertificates: [] } }), (error) => {
      assert.ok(error instanceof KimberliteError)
      assert.equal(error.code, 'InvalidArgument')
      return true
    })
  })
})
