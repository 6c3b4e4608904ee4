// The shared vectors of tests/vectors, checked through the verification functions
// (which call kimberlite's verify module and kimberlite-protocol).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'

import { verify } from '../index.js'
import { repoRoot } from './server.mjs'

// Integers beyond 2^53 (u64 ids, offsets and timestamps) are read as strings so
// that BigInt() gets them exactly.
const load = (name) => {
  const text = readFileSync(join(repoRoot, 'tests', 'vectors', `${name}.json`), 'utf8')
  return JSON.parse(text.replace(/([:[,]\s*)(\d{16,})(?=\s*[,\]}])/g, '$1"$2"'))
}
const hex = (text) => Buffer.from(text, 'hex')
const flipped = (buffer) => {
  const copy = Buffer.from(buffer)
  copy[0] ^= 1
  return copy
}
const tree = (size, rootHex) => ({ origin: 'vectors', size: BigInt(size), root: hex(rootHex), extensions: [] })

describe('records.json', () => {
  const vectors = load('records')
  const fields = (record) => ({
    tenantId: BigInt(record.tenant_id),
    streamId: BigInt(record.stream_id),
    offset: BigInt(record.offset),
    timestampNs: BigInt(record.timestamp_ns),
    kind: record.kind,
    prevHash: hex(record.prev_hash_hex),
    payload: hex(record.payload_hex),
  })

  test('genesis hashes', () => {
    for (const genesis of vectors.genesis) {
      const hash = verify.genesisHash(BigInt(genesis.tenant_id), BigInt(genesis.stream_id))
      assert.equal(hash.toString('hex'), genesis.hash_hex)
    }
  })

  test('record hashes, and a changed payload changes the hash', () => {
    for (const record of [...vectors.records, ...vectors.chain.records]) {
      assert.equal(verify.recordHash(fields(record)).toString('hex'), record.hash_hex)
      const changed = { ...fields(record), payload: Buffer.concat([hex(record.payload_hex), Buffer.from('!')]) }
      assert.notEqual(verify.recordHash(changed).toString('hex'), record.hash_hex)
    }
  })

  test('the chain links each record to the one before it', () => {
    const { chain } = vectors
    let previous = chain.genesis_hex
    for (const record of chain.records) {
      assert.equal(record.prev_hash_hex, previous)
      previous = verify.recordHash(fields(record)).toString('hex')
    }
    assert.equal(previous, chain.head_hex)
  })
})

describe('merkle.json', () => {
  const vectors = load('merkle')

  test('inclusion proofs verify; another leaf or a changed proof does not', () => {
    for (const vector of vectors.inclusion_proofs) {
      const checkpoint = tree(vector.size, vector.root_hex)
      const proof = vector.proof_hex.map(hex)
      verify.checkInclusion(hex(vector.leaf_hex), BigInt(vector.index), checkpoint, proof)
      assert.throws(
        () => verify.checkInclusion(flipped(hex(vector.leaf_hex)), BigInt(vector.index), checkpoint, proof),
        { name: 'KimberliteError', code: 'NotIncluded' },
      )
      if (proof.length > 0) {
        const changed = [flipped(proof[0]), ...proof.slice(1)]
        assert.throws(() => verify.checkInclusion(hex(vector.leaf_hex), BigInt(vector.index), checkpoint, changed), {
          code: 'NotIncluded',
        })
        assert.throws(
          () => verify.checkInclusion(hex(vector.leaf_hex), BigInt(vector.index), checkpoint, proof.slice(1)),
          { code: 'MalformedProof' },
        )
      }
    }
  })

  test('consistency proofs verify; a changed root is a fork, a smaller tree a rollback', () => {
    for (const vector of vectors.consistency_proofs) {
      const old = tree(vector.old_size, vector.old_root_hex)
      const next = tree(vector.new_size, vector.new_root_hex)
      const proof = vector.proof_hex.map(hex)
      verify.checkConsistency(old, next, proof)
      if (vector.old_size > 0 && vector.old_size < vector.new_size) {
        const forged = { ...next, root: flipped(next.root) }
        assert.throws(() => verify.checkConsistency(old, forged, proof), { code: 'Fork' })
        assert.throws(() => verify.checkConsistency(next, old, proof), { code: 'Rollback' })
      }
    }
  })

  test('a proof from an empty tree must be empty', () => {
    const [vector] = vectors.consistency_proofs.filter((v) => v.old_size > 0 && v.proof_hex.length > 0)
    const next = tree(vector.new_size, vector.new_root_hex)
    verify.checkConsistency(null, next, [])
    assert.throws(() => verify.checkConsistency(null, next, vector.proof_hex.map(hex)), {
      code: 'MalformedProof',
    })
  })
})

describe('checkpoints.json and notes.json', () => {
  const vectors = load('checkpoints')

  test('signed checkpoints open with their size and root', () => {
    for (const vector of vectors.checkpoints) {
      const checkpoint = verify.openSignedCheckpoint(vector.note, vectors.verifier_key, vector.origin)
      assert.equal(checkpoint.size, BigInt(vector.size))
      assert.equal(checkpoint.root.toString('hex'), vector.root_hex)
      assert.equal(checkpoint.origin, vector.origin)
      assert.deepEqual(checkpoint.extensions, vector.extensions)
      const origin = verify.streamOrigin(vectors.verifier_key, BigInt(vector.tenant_id), BigInt(vector.stream_id))
      assert.equal(origin, vector.origin)
    }
  })

  test('a changed body, another origin or another key is refused', () => {
    const [vector] = vectors.checkpoints.filter((v) => v.size > 0)
    const tampered = vector.note.replace(`\n${vector.size}\n`, `\n${vector.size + 1}\n`)
    assert.throws(() => verify.openSignedCheckpoint(tampered, vectors.verifier_key, vector.origin), {
      code: 'BadSignature',
    })
    assert.throws(() => verify.openSignedCheckpoint(vector.note, vectors.verifier_key, 'elsewhere/tenant/1/stream/1'), {
      code: 'WrongOrigin',
    })
    const otherKey = 'db.kimberlite.test+00000000+AcOeWh7NBHUCt4Hn+HBfvVUX1gAjMoAhTyssv9gutYKa'
    assert.throws(() => verify.openSignedCheckpoint(vector.note, otherKey, vector.origin), {
      name: 'KimberliteError',
    })
  })

  test('the notes of notes.json are signed by the same key but are not checkpoints', () => {
    const notes = load('notes')
    assert.equal(notes.verifier_key, vectors.verifier_key)
    for (const { note } of notes.notes) {
      const origin = note.split('\n')[0]
      assert.throws(() => verify.openSignedCheckpoint(note, notes.verifier_key, origin), { code: 'MalformedProof' })
      const forged = note.replace(/^./, (first) => (first === 'a' ? 'b' : 'a'))
      const forgedOrigin = forged.split('\n')[0]
      assert.throws(() => verify.openSignedCheckpoint(forged, notes.verifier_key, forgedOrigin), {
        code: 'BadSignature',
      })
    }
  })
})
