// `npm pack` gives a tarball that installs into an empty project and works there.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'

import { packageDir, startServer, tempDir } from './server.mjs'

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
let server
let dir
before(async () => {
  server = await startServer()
  dir = tempDir('kimberlite-node-pack-')
})
after(async () => {
  await server?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('the packed tarball installs into an empty project and works there', () => {
  const quiet = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', dir], { ...quiet, cwd: packageDir }))
  const files = packed[0].files.map((file) => file.path)
  assert.ok(files.includes('index.js') && files.includes('index.d.ts'))
  assert.ok(files.some((file) => file.endsWith('.node')), 'the addon is in the tarball')
  const tarball = join(dir, packed[0].filename)

  const project = join(dir, 'project')
  execFileSync('mkdir', [project])
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'empty', version: '1.0.0', private: true }))
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--offline', tarball], { ...quiet, cwd: project })
  writeFileSync(
    join(project, 'use.cjs'),
    `const { Client } = require('@kimberlite/client');
(async () => {
  const client = await Client.connect({ address: process.argv[2] })
  const stream = await client.createStream('packed')
  await client.append(stream, [Buffer.from('from the tarball')], 0n)
  const read = await client.readVerified(stream, 0n)
  console.log(read.events[0].payload.toString())
})().catch((error) => { console.error(error); process.exit(1) })
`,
  )
  const output = execFileSync(process.execPath, ['use.cjs', server.address], { ...quiet, cwd: project })
  assert.equal(output, 'from the tarball\n')
})
