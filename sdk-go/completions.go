package kimberlite

// The bridge from the C ABI's completion queue (kmb_completions) to goroutines.
// An asynchronous call (kmb_client_append_async) leaves its outcome in the queue
// and the queue's descriptor becomes readable; one poller goroutine per queue waits
// for it in Go's network poller, takes every outcome that finished with one cgo
// call and hands each to its waiting goroutine through that goroutine's slot.
// No Go code runs on the client runtime's threads: a cgo callback from such a
// thread enters Go on a foreign thread and leaves a processor in a system-call
// state that the scheduler must take back, once per call.
//
// A slot (the context of its call) is taken before the call starts and given back
// by its goroutine once that has received the outcome, so a slot's channel never
// holds two outcomes and a context is never used by two running calls.

/*
#include "kimberlite.h"
*/
import "C"

import (
	"context"
	"os"
	"sync"
	"syscall"
)

// takeBatch is how many outcomes one take moves at most.
const takeBatch = 128

// outcome is what the poller hands a waiting goroutine: a call's status, value
// and C error, or (when the queue broke) a Go error in failed.
type outcome struct {
	status uint32
	value  uint64
	err    *C.kmb_error
	failed error
}

// completions is one queue, its poller and the slots of the calls waiting on it.
type completions struct {
	queue  *C.kmb_completions
	file   *os.File      // a dup of the queue's descriptor, in Go's network poller
	polled chan struct{} // closed when the poller has returned

	mu     sync.Mutex
	slots  []chan outcome // by call context (id)
	busy   []bool         // by id: a call holds it
	free   []uintptr      // ids no running call uses
	broken error          // set when a take failed; no call starts after it
}

func newCompletions() (*completions, error) {
	q := &completions{polled: make(chan struct{})}
	var cError *C.kmb_error
	if status := uint32(C.kmb_completions_new(&q.queue, &cError)); status != C.KMB_OK {
		return nil, takeError(nil, status, cError)
	}
	// The dup is the poller's to close; ForkLock keeps it from leaking into a child
	// started between the dup and CloseOnExec (as package net does).
	syscall.ForkLock.RLock()
	fd, err := syscall.Dup(int(C.kmb_completions_fd(q.queue)))
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		C.kmb_completions_free(q.queue)
		return nil, os.NewSyscallError("dup", err)
	}
	// The descriptor is non-blocking, so os.NewFile puts it in the network poller.
	q.file = os.NewFile(uintptr(fd), "kimberlite-completions")
	raw, err := q.file.SyscallConn()
	if err != nil {
		q.file.Close()
		C.kmb_completions_free(q.queue)
		return nil, err
	}
	go q.poll(raw)
	return q, nil
}

// poll takes outcomes until close. It stays inside one raw.Read: a new Read would
// first reset the descriptor's readiness, dropping a wake-up that came after the
// last take, while within one Read a wake-up between a take that emptied the queue
// and the wait makes the wait return at once.
func (q *completions) poll(raw syscall.RawConn) {
	defer close(q.polled)
	batch := make([]C.kmb_completion, takeBatch)
	var count C.size_t
	// Returns only when the file is closed.
	_ = raw.Read(func(uintptr) bool {
		for {
			var cError *C.kmb_error
			if status := uint32(C.kmb_completions_take(q.queue, &batch[0], takeBatch, &count, &cError)); status != C.KMB_OK {
				// Only a bug in the library gets here: fail every waiting call
				// rather than leave it waiting for an outcome no one will take.
				q.fail(takeError(nil, status, cError))
				return true
			}
			q.hand(batch[:count])
			if count < takeBatch {
				return false // the queue is empty: wait until readable
			}
		}
	})
}

// hand gives each outcome to its slot; a slot's channel is empty (see the file
// comment), so no send blocks.
func (q *completions) hand(batch []C.kmb_completion) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, finished := range batch {
		q.slots[finished.context] <- outcome{
			status: uint32(finished.status),
			value:  uint64(finished.value),
			err:    finished.error,
		}
	}
}

// fail ends the queue: every call holding a slot gets err, and no call starts
// on the queue again.
func (q *completions) fail(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.broken = err
	for id, busy := range q.busy {
		if busy {
			select {
			case q.slots[id] <- outcome{failed: err}:
			default: // its outcome was handed over and is not received yet
			}
		}
	}
}

// slot takes a context (id) for a call, and the channel its outcome comes on.
func (q *completions) slot() (uintptr, chan outcome, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.broken != nil {
		return 0, nil, q.broken
	}
	if n := len(q.free); n > 0 {
		id := q.free[n-1]
		q.free = q.free[:n-1]
		q.busy[id] = true
		return id, q.slots[id], nil
	}
	slot := make(chan outcome, 1)
	q.slots = append(q.slots, slot)
	q.busy = append(q.busy, true)
	return uintptr(len(q.slots) - 1), slot, nil
}

// release gives an id back once its call's outcome was received (or the call did
// not start). After a failure the id stays taken: its call may still be running
// in the library.
func (q *completions) release(id uintptr) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.broken == nil {
		q.busy[id] = false
		q.free = append(q.free, id)
	}
}

// await waits for the outcome of the call started with id; when ctx ends first
// the call is cancelled and still waited for, so nothing outlives it.
func (q *completions) await(ctx context.Context, id uintptr, slot chan outcome) outcome {
	var got outcome
	select {
	case got = <-slot:
	case <-ctx.Done():
		C.kmb_completions_cancel(q.queue, C.uintptr_t(id))
		got = <-slot
	}
	q.release(id)
	return got
}

// close ends the poller and frees the queue; no call may be running on it.
func (q *completions) close() {
	q.file.Close()
	<-q.polled
	C.kmb_completions_free(q.queue)
}
