package kimberlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

func TestStreamRoundTrip(t *testing.T) {
	ctx, client := testContext(t), connect(t, 11)
	stream, err := client.CreateStream(ctx, "round-trip", Public, "")
	if err != nil {
		t.Fatal(err)
	}
	again, err := client.CreateStream(ctx, "round-trip", Public, "")
	if err != nil || again != stream {
		t.Fatalf("create again: %v %v, want %v", again, err, stream)
	}
	first, err := client.Append(ctx, stream, [][]byte{[]byte("a"), {}, []byte("ccc")}, 0)
	if err != nil || first != 0 {
		t.Fatalf("append: %v %v", first, err)
	}
	length, err := client.StreamLength(ctx, stream)
	if err != nil || length != 3 {
		t.Fatalf("length: %v %v", length, err)
	}
	read, err := client.Read(ctx, stream, 1, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(read.Events) != 2 || read.Events[0].Offset != 1 || len(read.Events[0].Payload) != 0 ||
		!bytes.Equal(read.Events[1].Payload, []byte("ccc")) || read.NextOffset == nil || *read.NextOffset != 3 {
		t.Fatalf("read: %+v", read)
	}
	empty, err := client.Read(ctx, stream, 3, 1<<20)
	if err != nil || len(empty.Events) != 0 || empty.NextOffset != nil {
		t.Fatalf("read at the end: %+v %v", empty, err)
	}
	if err := client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAppendAtAStaleOffsetIsOffsetMismatch(t *testing.T) {
	ctx, client := testContext(t), connect(t, 11)
	stream, err := client.CreateStream(ctx, "stale", Confidential, "USEast1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Append(ctx, stream, [][]byte{[]byte("x")}, 0); err != nil {
		t.Fatal(err)
	}
	_, err = client.Append(ctx, stream, [][]byte{[]byte("y")}, 0)
	var kmbErr *Error
	if !errors.Is(err, ErrOffsetMismatch) || !errors.As(err, &kmbErr) || kmbErr.Code != 16 || kmbErr.Retryable {
		t.Fatalf("want OffsetMismatch, got %#v", err)
	}
	if errors.Is(err, ErrStreamNotFound) {
		t.Fatal("matched another sentinel")
	}
}

func TestUnknownStreamAndBadArguments(t *testing.T) {
	ctx, client := testContext(t), connect(t, 11)
	if _, err := client.StreamLength(ctx, 987654); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("want StreamNotFound, got %v", err)
	}
	if _, err := client.CreateStream(ctx, "bad-class", DataClass(99), ""); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("want InvalidArgument, got %v", err)
	}
	if _, err := client.Query(ctx, "SELECT $1", struct{}{}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("want InvalidArgument for a Go struct parameter, got %v", err)
	}
}

func TestVerifiedReadsAndProofs(t *testing.T) {
	ctx, client := testContext(t), connect(t, 12)
	stream, err := client.CreateStream(ctx, "verified", PII, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Append(ctx, stream, [][]byte{[]byte("one"), []byte("two")}, 0); err != nil {
		t.Fatal(err)
	}
	older, err := client.ReadVerified(ctx, stream, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(older.Events) != 2 || string(older.Events[1].Payload) != "two" || older.Events[1].TimestampNs == 0 {
		t.Fatalf("verified read: %+v", older)
	}
	if _, err := client.Append(ctx, stream, [][]byte{[]byte("three")}, 2); err != nil {
		t.Fatal(err)
	}
	newer, err := client.Checkpoint(ctx, stream)
	if err != nil || newer.Size < 3 {
		t.Fatalf("checkpoint: %+v %v", newer, err)
	}
	proof, err := client.ConsistencyProof(ctx, stream, older.Checkpoint.Size, newer.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyConsistency(older.Checkpoint, newer, proof); err != nil {
		t.Fatalf("the server's proof does not verify: %v", err)
	}
	forged := newer
	forged.Root[0] ^= 1
	if err := VerifyConsistency(older.Checkpoint, forged, proof); !errors.Is(err, ErrFork) {
		t.Fatalf("want Fork for a forged root, got %v", err)
	}
	tail, err := client.ReadVerified(ctx, stream, 2, 1<<20)
	if err != nil || len(tail.Events) != 1 || tail.Events[0].Offset != 2 || tail.Checkpoint.Size < 3 {
		t.Fatalf("verified tail: %+v %v", tail, err)
	}
}

func TestTrustedStateDirectoryIsKeptAcrossClients(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	options := Options{Address: devAddress, TenantID: 13, StateDirectory: dir}
	first, err := Connect(ctx, options)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := first.CreateStream(ctx, unique("trusted"), Public, "")
	if err == nil {
		_, err = first.Append(ctx, stream, [][]byte{[]byte("kept")}, 0)
	}
	if err == nil {
		_, err = first.ReadVerified(ctx, stream, 0, 1<<20)
	}
	first.Close()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("the state directory is empty: %v", err)
	}
	info, err := connect(t, 13).ServerInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A client pinned to another key refuses what the stored state and server say.
	pinned := options
	// The test key of tests/vectors/notes.json: valid, but not this server's.
	pinned.PinnedServerKey = "db.kimberlite.test+8e76714d+AcOeWh7NBHUCt4Hn+HBfvVUX1gAjMoAhTyssv9gutYKa"
	other, err := Connect(ctx, pinned)
	if err == nil {
		_, err = other.ReadVerified(ctx, stream, 0, 1<<20)
		other.Close()
	}
	if !IsVerificationFailure(err) {
		t.Fatalf("want a verification failure with a wrong pinned key (server key %s), got %v", info.SigningKey, err)
	}
	second, err := Connect(ctx, options)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if _, err := second.ReadVerified(ctx, stream, 0, 1<<20); err != nil {
		t.Fatalf("a second client with the same state: %v", err)
	}
}

func TestServerInfo(t *testing.T) {
	info, err := connect(t, 11).ServerInfo(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if info.ProtocolVersion != 5 || info.ServerVersion == "" || info.SigningKey == "" || len(info.Capabilities) == 0 {
		t.Fatalf("server info: %+v", info)
	}
}

func TestCloseIsIdempotentAndLaterCallsFail(t *testing.T) {
	client := connect(t, 11)
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.StreamLength(testContext(t), 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("want ErrClosed, got %v", err)
	}
	if _, err := client.Append(testContext(t), 1, [][]byte{[]byte("late")}, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("want ErrClosed from Append, got %v", err)
	}
}

func TestManyGoroutinesShareOneClient(t *testing.T) {
	ctx, client := testContext(t), connect(t, 14)
	var wait sync.WaitGroup
	failures := make(chan error, 8)
	for worker := 0; worker < 8; worker++ {
		wait.Add(1)
		go func() {
			defer wait.Done()
			stream, err := client.CreateStream(ctx, unique(fmt.Sprintf("worker-%d", worker)), Public, "")
			for i := 0; err == nil && i < 20; i++ {
				_, err = client.Append(ctx, stream, [][]byte{[]byte("event")}, Offset(i))
			}
			if err == nil {
				var length uint64
				if length, err = client.StreamLength(ctx, stream); err == nil && length != 20 {
					err = fmt.Errorf("length %d", length)
				}
			}
			failures <- err
		}()
	}
	wait.Wait()
	close(failures)
	for err := range failures {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestCancelledAndExpiredContexts(t *testing.T) {
	client := connect(t, 11)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := client.StreamLength(cancelled, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if _, err := client.Append(cancelled, 1, [][]byte{[]byte("never")}, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled from Append, got %v", err)
	}
	expired, stop := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer stop()
	if _, err := Connect(expired, Options{Address: devAddress, TenantID: 1}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded, got %v", err)
	}
}
