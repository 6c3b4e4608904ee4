// The README quickstart and the TypeScript example (compiled with `tsc --strict`),
// each run against a real server.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { packageDir, startServer } from './server.mjs'

function run(command, args, env) {
  return execFileSync(command, args, {
    cwd: packageDir,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

describe('examples', () => {
  let server
  before(async () => {
    server = await startServer()
  })
  after(async () => {
    await server?.stop()
  })

  const jsBlock = (readme) => /```js\n([\s\S]*?)```/.exec(readFileSync(readme, 'utf8'))?.[1]

  test('the README quickstart runs', () => {
    const block = jsBlock(join(packageDir, 'README.md'))
    assert.ok(block, 'the README has a js block')
    const file = join(packageDir, 'target', 'readme-quickstart.mjs')
    writeFileSync(file, block)
    try {
      const output = run(process.execPath, [file], { KIMBERLITE_ADDRESS: server.address })
      const first = Number(/appended 2 events at offset (\d+)/.exec(output)?.[1])
      assert.ok(output.includes(`verified ${first}: hello\nverified ${first + 1}: world\n`), output)
      assert.match(output, /a stale expected offset is refused: OffsetMismatch/)
      assert.ok(output.includes(`row ${first}: world now, hello at SQL log position`), output)
    } finally {
      rmSync(file, { force: true })
    }
  })

  test('the root README carries the same quickstart', () => {
    assert.equal(jsBlock(join(packageDir, '..', 'README.md')), jsBlock(join(packageDir, 'README.md')))
  })

  test('the TypeScript example compiles with tsc --strict and runs', () => {
    const tsc = join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc')
    run(process.execPath, [tsc, '--strict', '-p', 'examples'])
    const compiled = join(packageDir, 'target', 'examples', 'quickstart.js')
    const output = run(process.execPath, [compiled], { KIMBERLITE_ADDRESS: server.address })
    assert.match(output, /verified 0: hello\nverified 1: world\n/)
    assert.match(output, /checkpoint of 2 records/)
    assert.match(output, /refused: OffsetMismatch \(retryable: false\)/)
    assert.match(output, /followed 0\nfollowed 1\n/)
  })
})
