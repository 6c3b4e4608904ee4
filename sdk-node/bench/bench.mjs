// Benchmark of @kimberlite/client: the workloads of every client benchmark (see
// core/examples/bench_client/sdk.rs) against a real server. Prints figures and
// `RESULT node <workload> <ops/s>` lines; asserts nothing about speed.
//
//   node bench/bench.mjs
// - append: KMB_BENCH_CONCURRENCY (64) Promises in flight on ONE client, each
//   appending single 1 KiB events to its own stream; events/s.
// - read, readVerified: one caller reading a stream of KMB_BENCH_READ_EVENTS
//   (20,000) 1 KiB events from start to end, 64 KiB per call, again and again.
// - server_info: one caller, one round trip after the other; calls/s.
// Environment:
// - KIMBERLITE_BIN: the server binary (default target/debug/kimberlite of the
//   repository; bench/sdks passes the release one); a fresh data directory
// - KMB_BENCH_SECONDS: seconds per workload (default 3)
import { Client } from '../index.js'
import { startServer } from '../test/server.mjs'

const seconds = Number(process.env.KMB_BENCH_SECONDS ?? 3)
const concurrency = Number(process.env.KMB_BENCH_CONCURRENCY ?? 64)
const readEvents = Number(process.env.KMB_BENCH_READ_EVENTS ?? 20000)
const readBytes = 64 * 1024
const event = Buffer.alloc(1024, 0x61)

function result(workload, perSecond, unit) {
  console.log(`${('node ' + workload).padEnd(44)} ${perSecond.toFixed(0).padStart(14)} ${unit}`)
  console.log(`RESULT node ${workload} ${perSecond.toFixed(0)}`)
}

/** Runs `work` (which resolves to a count) again and again; count per second. */
async function timed(work) {
  const began = performance.now()
  let total = 0
  while (performance.now() - began < seconds * 1000) total += await work()
  return total / ((performance.now() - began) / 1000)
}

async function appends(client) {
  const streams = []
  for (let i = 0; i < concurrency; i++) streams.push(await client.createStream(`bench-append-${i}`))
  const began = performance.now()
  const deadline = began + seconds * 1000
  const counts = await Promise.all(
    streams.map(async (stream) => {
      let offset = 0n
      while (performance.now() < deadline) {
        await client.append(stream, [event], offset)
        offset += 1n
      }
      return Number(offset)
    }),
  )
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - began) / 1000)
}

async function fill(client) {
  const stream = await client.createStream('bench-read')
  const payload = Buffer.alloc(1024, 0x62)
  for (let offset = 0; offset < readEvents; offset += 500) {
    const batch = Math.min(500, readEvents - offset)
    await client.append(stream, Array.from({ length: batch }, () => payload), BigInt(offset))
  }
  return stream
}

async function pass(read) {
  let total = 0
  let offset = 0n
  for (;;) {
    const answer = await read(offset)
    total += answer.events.length
    if (answer.nextOffset === null || answer.events.length === 0) return total
    offset = answer.nextOffset
  }
}

async function main() {
  const server = await startServer()
  try {
    const client = await Client.connect({ address: server.address })
    console.log(`node client: ${concurrency} concurrent appenders on one client, ${seconds} s per workload`)
    result('append', await appends(client), 'events/s')
    const stream = await fill(client)
    result('read', await timed(() => pass((from) => client.read(stream, from, readBytes))), 'events/s')
    const verified = await timed(() => pass((from) => client.readVerified(stream, from, readBytes)))
    result('read_verified', verified, 'events/s')
    result('server_info', await timed(async () => (await client.serverInfo(), 1)), 'calls/s')
  } finally {
    await server.stop()
  }
}

await main()
