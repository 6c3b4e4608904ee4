package kimberlite

// The client: Connect, Close, and the stream calls (create, append, read, verified
// read, length, sync, checkpoint, consistency proof).

/*
#include <stdlib.h>
#include "kimberlite.h"

// What starting an asynchronous call gave: returned by value, so no out-pointer
// escapes to the Go heap.
typedef struct {
  enum kmb_status status;
  struct kmb_error *error;
} kmb_go_started;

// Starts an append of the `count` events at `events` or, when `events` is NULL and
// `count` is 1, of the one event at `data`: that kmb_bytes is built here, on the C
// stack, so the Go side passes no memory holding Go pointers and pins nothing.
static kmb_go_started kmb_go_append_async(const struct kmb_client *client, uint64_t stream_id,
                                          const struct kmb_bytes *events, uintptr_t count,
                                          const uint8_t *data, uintptr_t len,
                                          uint64_t expected_offset,
                                          const struct kmb_completions *queue, uintptr_t context) {
  struct kmb_bytes one = {data, len};
  if (events == NULL && count == 1) {
    events = &one;
  }
  kmb_go_started started = {KMB_OK, NULL};
  started.status = kmb_client_append_async(client, stream_id, events, count, expected_offset,
                                           queue, context, &started.error);
  return started;
}
*/
import "C"

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// StreamID names a stream of the tenant.
type StreamID uint64

// Offset is a position in a stream (or in the tenant's SQL log).
type Offset uint64

// DataClass says what kind of data a stream holds (the wire index).
type DataClass uint8

// The data classes.
const (
	PHI DataClass = iota
	Deidentified
	PII
	Sensitive
	PCI
	Financial
	Confidential
	Public
)

// Client is a connection to a Kimberlite server. It may be used from many
// goroutines at once; Close it when done (a finalizer closes it otherwise).
type Client struct {
	mu     sync.RWMutex
	handle *C.kmb_client

	// appends is the queue appends finish through, made by the first Append.
	appends     atomic.Pointer[completions]
	appendsOnce sync.Mutex
}

// Connect connects to options.Address and handshakes. ctx bounds the connect.
func Connect(ctx context.Context, options Options) (*Client, error) {
	cOptions, err := options.toC()
	if err != nil {
		return nil, err
	}
	defer C.kmb_options_free(cOptions)
	address := C.CString(options.Address)
	defer C.free(unsafe.Pointer(address))
	var handle *C.kmb_client
	err = withCancel(ctx, func(cancel *C.kmb_cancel, cError **C.kmb_error) uint32 {
		return C.kmb_client_connect(address, cOptions, cancel, &handle, cError)
	})
	if err != nil {
		return nil, err
	}
	client := &Client{handle: handle}
	runtime.SetFinalizer(client, (*Client).Close)
	return client, nil
}

// Close closes the connection after the calls in flight return. It is idempotent.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle != nil {
		// No append runs (each holds the read lock until its outcome arrived).
		if appends := c.appends.Load(); appends != nil {
			appends.close()
			c.appends.Store(nil)
		}
		C.kmb_client_free(c.handle)
		c.handle = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

// call runs one C call with the live handle, tied to ctx.
func (c *Client) call(ctx context.Context, body func(handle *C.kmb_client, cancel *C.kmb_cancel, cError **C.kmb_error) uint32) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.handle == nil {
		return ErrClosed
	}
	handle := c.handle
	return withCancel(ctx, func(cancel *C.kmb_cancel, cError **C.kmb_error) uint32 {
		return body(handle, cancel, cError)
	})
}

// CreateStream creates a stream, or finds the tenant's stream of that name. region
// "" places it globally; else "USEast1", "APSoutheast2" or any region name.
func (c *Client) CreateStream(ctx context.Context, name string, class DataClass, region string) (StreamID, error) {
	cName := C.CString(name)
	defer C.free(unsafe.Pointer(cName))
	var cRegion *C.char
	if region != "" {
		cRegion = C.CString(region)
		defer C.free(unsafe.Pointer(cRegion))
	}
	var id C.uint64_t
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_create_stream(h, cName, C.uint8_t(class), cRegion, cancel, &id, e)
	})
	return StreamID(id), err
}

// Append appends events if the stream's length is expected, and returns the first
// event's offset. A stale expected offset fails with ErrOffsetMismatch.
func (c *Client) Append(ctx context.Context, stream StreamID, events [][]byte, expected Offset) (Offset, error) {
	return c.appendAsync(ctx, stream, events, expected)
}

// appendAsync runs one append through kmb_client_append_async and waits for its
// outcome from the client's completion queue, or for ctx; on ctx's end the call is
// cancelled and still waited for, so the client outlives it.
func (c *Client) appendAsync(ctx context.Context, stream StreamID, events [][]byte, expected Offset) (Offset, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.handle == nil {
		return 0, ErrClosed
	}
	queue, err := c.appendQueue()
	if err != nil {
		return 0, err
	}
	id, slot, err := queue.slot()
	if err != nil {
		return 0, err
	}
	started := startAppend(c.handle, stream, events, expected, queue.queue, id)
	if started.status != C.KMB_OK {
		queue.release(id)
		return 0, takeError(ctx, uint32(started.status), started.error)
	}
	got := queue.await(ctx, id, slot)
	if got.failed != nil {
		return 0, got.failed
	}
	return Offset(got.value), takeError(ctx, got.status, got.err)
}

// startAppend starts the append; the events are copied before it returns.
func startAppend(handle *C.kmb_client, stream StreamID, events [][]byte, expected Offset, queue *C.kmb_completions, id uintptr) C.kmb_go_started {
	if len(events) == 1 {
		var data *C.uint8_t
		if len(events[0]) > 0 {
			data = (*C.uint8_t)(unsafe.Pointer(&events[0][0]))
		}
		return C.kmb_go_append_async(handle, C.uint64_t(stream), nil, 1, data, C.size_t(len(events[0])),
			C.uint64_t(expected), queue, C.uintptr_t(id))
	}
	// A kmb_bytes array in Go memory holds Go pointers: they stay pinned for the call.
	items := make([]C.kmb_bytes, len(events))
	var pinner runtime.Pinner
	defer pinner.Unpin()
	for i, event := range events {
		if len(event) > 0 {
			pinner.Pin(&event[0])
			items[i] = C.kmb_bytes{data: (*C.uint8_t)(unsafe.Pointer(&event[0])), len: C.size_t(len(event))}
		}
	}
	var itemsPointer *C.kmb_bytes
	if len(items) > 0 {
		itemsPointer = &items[0]
	}
	return C.kmb_go_append_async(handle, C.uint64_t(stream), itemsPointer, C.size_t(len(items)), nil, 0,
		C.uint64_t(expected), queue, C.uintptr_t(id))
}

// appendQueue is the client's completion queue for appends, made on first use;
// the caller holds c.mu's read lock.
func (c *Client) appendQueue() (*completions, error) {
	if queue := c.appends.Load(); queue != nil {
		return queue, nil
	}
	c.appendsOnce.Lock()
	defer c.appendsOnce.Unlock()
	if queue := c.appends.Load(); queue != nil {
		return queue, nil
	}
	queue, err := newCompletions()
	if err != nil {
		return nil, err
	}
	c.appends.Store(queue)
	return queue, nil
}

// Read reads events from from, up to about maxBytes, without verification.
func (c *Client) Read(ctx context.Context, stream StreamID, from Offset, maxBytes uint64) (*ReadResult, error) {
	var events *C.kmb_events
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_read(h, C.uint64_t(stream), C.uint64_t(from), C.uint64_t(maxBytes), cancel, &events, e)
	})
	if err != nil {
		return nil, err
	}
	defer C.kmb_events_free(events)
	read := takeEvents(events)
	return &read, nil
}

// ReadVerified reads like Read, but verifies every record against a signed
// checkpoint that extends the trusted one, then trusts that checkpoint. A refused
// answer fails with a verification error (ErrFork, ErrNotIncluded, ...).
func (c *Client) ReadVerified(ctx context.Context, stream StreamID, from Offset, maxBytes uint64) (*VerifiedRead, error) {
	var events *C.kmb_events
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_read_verified(h, C.uint64_t(stream), C.uint64_t(from), C.uint64_t(maxBytes), cancel, &events, e)
	})
	if err != nil {
		return nil, err
	}
	defer C.kmb_events_free(events)
	read := VerifiedRead{ReadResult: takeEvents(events)}
	var size C.uint64_t
	C.kmb_events_checkpoint(events, &size, (*C.uint8_t)(unsafe.Pointer(&read.Checkpoint.Root[0])))
	read.Checkpoint.Size = uint64(size)
	return &read, nil
}

// StreamLength returns the number of events in the stream.
func (c *Client) StreamLength(ctx context.Context, stream StreamID) (uint64, error) {
	var length C.uint64_t
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_stream_length(h, C.uint64_t(stream), cancel, &length, e)
	})
	return uint64(length), err
}

// Sync waits until everything acknowledged so far is durable on the server.
func (c *Client) Sync(ctx context.Context) error {
	return c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_sync(h, cancel, e)
	})
}

// Checkpoint returns the stream's latest signed checkpoint, verified under the
// trusted key (it does not advance the trusted state).
func (c *Client) Checkpoint(ctx context.Context, stream StreamID) (Checkpoint, error) {
	var checkpoint Checkpoint
	var size C.uint64_t
	root := (*C.uint8_t)(unsafe.Pointer(&checkpoint.Root[0]))
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_checkpoint(h, C.uint64_t(stream), cancel, &size, root, e)
	})
	checkpoint.Size = uint64(size)
	return checkpoint, err
}

// ConsistencyProof returns the proof that the stream's tree of toSize records
// extends its tree of fromSize records.
func (c *Client) ConsistencyProof(ctx context.Context, stream StreamID, fromSize, toSize uint64) ([][32]byte, error) {
	buffer := make([][32]byte, 64)
	var count C.size_t
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_consistency_proof(h, C.uint64_t(stream), C.uint64_t(fromSize), C.uint64_t(toSize),
			cancel, (*C.uint8_t)(unsafe.Pointer(&buffer[0][0])), C.size_t(len(buffer)), &count, e)
	})
	if err != nil {
		return nil, err
	}
	return buffer[:count], nil
}
