// Benchmark of @kimberlite/client: durable appends of single 1 KiB events and
// verified reads, with many Promises in flight on ONE client (one connection),
// against a real server. Prints figures; asserts nothing about speed.
//
//   node bench/bench.mjs
// Environment:
// - KIMBERLITE_ADDRESS: a running server to use (default: start one with
//   KIMBERLITE_BIN, default target/debug/kimberlite of the repository, in development mode)
// - KMB_BENCH_SECONDS: seconds per scenario (default 3)
// - KMB_BENCH_CONCURRENCY: Promises in flight (default 256)
import { Client } from '../index.js'
import { startServer } from '../test/server.mjs'

const seconds = Number(process.env.KMB_BENCH_SECONDS ?? 3)
const concurrency = Number(process.env.KMB_BENCH_CONCURRENCY ?? 256)
const event = Buffer.alloc(1024, 0x61)

async function forDuration(workers, work) {
  const deadline = performance.now() + seconds * 1000
  let done = 0
  const began = performance.now()
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        await work(worker)
        done += 1
      }
    }),
  )
  const elapsed = (performance.now() - began) / 1000
  return { done, perSecond: done / elapsed }
}

function row(name, { done, perSecond }) {
  console.log(`${name.padEnd(44)} ${String(done).padStart(9)} ops ${perSecond.toFixed(0).padStart(9)} ops/s`)
}

async function main() {
  const server = process.env.KIMBERLITE_ADDRESS ? null : await startServer()
  const address = process.env.KIMBERLITE_ADDRESS ?? server.address
  try {
    const client = await Client.connect({ address })
    const streams = await Promise.all(
      Array.from({ length: concurrency }, (_, i) => client.createStream(`bench-${Date.now()}-${i}`)),
    )
    const offsets = streams.map(() => 0n)
    console.log(`@kimberlite/client: ${concurrency} Promises in flight on one client, ${seconds} s each`)
    row('append (1 event of 1 KiB, durable)', await forDuration(concurrency, async (worker) => {
      await client.append(streams[worker], [event], offsets[worker])
      offsets[worker] += 1n
    }))
    row('read (from offset 0, up to 16 KiB)', await forDuration(concurrency, async (worker) => {
      await client.read(streams[worker], 0n, 16 * 1024)
    }))
    row('readVerified (from offset 0, up to 16 KiB)', await forDuration(concurrency, async (worker) => {
      await client.readVerified(streams[worker], 0n, 16 * 1024)
    }))
  } finally {
    await server?.stop()
  }
}

await main()
