package kimberlite

import (
	"fmt"
	"sync/atomic"
	"testing"
)

var workers atomic.Int64

// Appends of one 100-byte event, one call at a time, and in parallel goroutines.
func BenchmarkAppend(b *testing.B) {
	client := connect(b, 31)
	ctx := testContext(b)
	payload := [][]byte{make([]byte, 100)}
	for _, parallel := range []bool{false, true} {
		name := fmt.Sprintf("parallel=%v", parallel)
		b.Run(name, func(b *testing.B) {
			stream, err := client.CreateStream(ctx, "bench-append-"+name+fmt.Sprint(b.N), Public, "")
			if err != nil {
				b.Fatal(err)
			}
			if !parallel {
				for i := 0; i < b.N; i++ {
					if _, err := client.Append(ctx, stream, payload, Offset(i)); err != nil {
						b.Fatal(err)
					}
				}
				return
			}
			b.RunParallel(func(pb *testing.PB) {
				// Each goroutine appends to a stream of its own.
				own, err := client.CreateStream(ctx, fmt.Sprintf("%s-%d", name, workers.Add(1)), Public, "")
				next := Offset(0)
				for err == nil && pb.Next() {
					_, err = client.Append(ctx, own, payload, next)
					next++
				}
				if err != nil {
					b.Error(err)
				}
			})
			_ = stream
		})
	}
}

// Verified reads of 100 events of 100 bytes from the start of a stream.
func BenchmarkReadVerified(b *testing.B) {
	client := connect(b, 32)
	ctx := testContext(b)
	stream, err := client.CreateStream(ctx, "bench-read", Public, "")
	if err != nil {
		b.Fatal(err)
	}
	events := make([][]byte, 100)
	for i := range events {
		events[i] = make([]byte, 100)
	}
	if length, _ := client.StreamLength(ctx, stream); length == 0 {
		if _, err := client.Append(ctx, stream, events, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		read, err := client.ReadVerified(ctx, stream, 0, 1<<20)
		if err != nil || len(read.Events) != 100 {
			b.Fatalf("%v %v", len(read.Events), err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "events/s")
}
