package kimberlite

// The workloads of every client benchmark (see core/examples/bench_client/sdk.rs),
// against the server TestMain starts from KIMBERLITE_BIN:
//
//	go test -run '^$' -bench SDK -benchtime 3s .
//
// Each sub-benchmark reports ops/s (b.ReportMetric); bench/sdks turns those lines
// into `RESULT go <workload> <ops/s>` lines.
//   - append: benchConcurrency (64) goroutines sharing ONE client, each appending
//     single 1 KiB events to its own stream; an op is one event.
//   - read, read_verified: one caller reading a stream of benchReadEvents 1 KiB
//     events from start to end, 64 KiB per call, again and again; an op is one event.
//   - server_info: one caller, one round trip after the other.

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

const (
	benchConcurrency = 64
	benchReadEvents  = 20000
	benchReadBytes   = 64 * 1024
)

var (
	benchRuns       atomic.Int64
	benchFillOnce   sync.Once
	benchReadStream StreamID
	benchFillErr    error
)

func BenchmarkSDK(b *testing.B) {
	client := connect(b, 1)
	ctx := testContext(b)
	event := make([]byte, 1024)
	for i := range event {
		event[i] = 'a'
	}

	b.Run("append", func(b *testing.B) {
		run := benchRuns.Add(1)
		streams := make([]StreamID, benchConcurrency)
		for i := range streams {
			stream, err := client.CreateStream(ctx, fmt.Sprintf("bench-append-%d-%d", run, i), Public, "")
			if err != nil {
				b.Fatal(err)
			}
			streams[i] = stream
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, benchConcurrency)
		b.ResetTimer()
		for _, stream := range streams {
			wg.Add(1)
			go func(stream StreamID) {
				defer wg.Done()
				offset := Offset(0)
				for next.Add(1) <= int64(b.N) {
					if _, err := client.Append(ctx, stream, [][]byte{event}, offset); err != nil {
						errs <- err
						return
					}
					offset++
				}
			}(stream)
		}
		wg.Wait()
		b.StopTimer()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})

	benchFillOnce.Do(func() {
		benchReadStream, benchFillErr = client.CreateStream(ctx, "bench-read", Public, "")
		payload := make([]byte, 1024)
		for i := range payload {
			payload[i] = 'b'
		}
		for offset := 0; benchFillErr == nil && offset < benchReadEvents; offset += 500 {
			batch := make([][]byte, min(500, benchReadEvents-offset))
			for i := range batch {
				batch[i] = payload
			}
			_, benchFillErr = client.Append(ctx, benchReadStream, batch, Offset(offset))
		}
	})
	if benchFillErr != nil {
		b.Fatal(benchFillErr)
	}

	for _, verified := range []bool{false, true} {
		name := "read"
		if verified {
			name = "read_verified"
		}
		b.Run(name, func(b *testing.B) {
			// An op is one event: read from the start to the end and again until
			// b.N events were read.
			events, offset := 0, Offset(0)
			for events < b.N {
				var count int
				var nextOffset *Offset
				if verified {
					read, err := client.ReadVerified(ctx, benchReadStream, offset, benchReadBytes)
					if err != nil {
						b.Fatal(err)
					}
					count, nextOffset = len(read.Events), read.NextOffset
				} else {
					read, err := client.Read(ctx, benchReadStream, offset, benchReadBytes)
					if err != nil {
						b.Fatal(err)
					}
					count, nextOffset = len(read.Events), read.NextOffset
				}
				events += count
				if nextOffset == nil || count == 0 {
					offset = 0
				} else {
					offset = *nextOffset
				}
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "ops/s")
		})
	}

	b.Run("server_info", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := client.ServerInfo(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
}
