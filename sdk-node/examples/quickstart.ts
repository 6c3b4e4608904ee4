// A typed tour of @kimberlite/client, compiled with `tsc --strict` by the tests and
// run against a real server: connect, create a stream, append, read, verify, follow.
//
//   KIMBERLITE_ADDRESS=127.0.0.1:5432 node target/examples/quickstart.js
import { Client, KimberliteError, type VerifiedRead } from '@kimberlite/client'

async function main(): Promise<void> {
  const address = process.env.KIMBERLITE_ADDRESS ?? '127.0.0.1:5432'
  const client: Client = await Client.connect({ address, tenant: 1n })

  const stream: bigint = await client.createStream('typed-events', 'Public')
  const length: bigint = await client.streamLength(stream)
  const first: bigint = await client.append(stream, [Buffer.from('hello'), new TextEncoder().encode('world')], length)

  const read: VerifiedRead = await client.readVerified(stream, first)
  for (const event of read.events) {
    console.log(`verified ${event.offset}: ${event.payload.toString()}`)
  }
  console.log(`checkpoint of ${read.checkpoint.size} records`)

  try {
    await client.append(stream, [Buffer.from('again')], first)
  } catch (error) {
    if (error instanceof KimberliteError && error.code === 'OffsetMismatch') {
      console.log(`refused: ${error.code} (retryable: ${error.retryable})`)
    } else {
      throw error
    }
  }

  const subscription = await client.subscribe(stream, first)
  for await (const event of subscription) {
    console.log(`followed ${event.offset}`)
    if (event.offset === first + 1n) break
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
