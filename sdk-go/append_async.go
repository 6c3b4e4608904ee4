package kimberlite

// Appends finish through a callback rather than a blocking C call: a goroutine
// waiting for its append then holds no OS thread, where a blocking cgo call holds
// one per waiting goroutine and has the scheduler hand processors back and forth
// on every return. The C ABI's kmb_client_append_async copies the events, starts
// the call on the client's runtime and returns; kmbGoAppendDone runs on one of the
// runtime's threads when the call ends and hands the outcome to the waiting
// goroutine through a channel found by its cgo.Handle.

/*
#include "kimberlite.h"
*/
import "C"

import "runtime/cgo"

// appendOutcome is what kmbGoAppendDone hands over.
type appendOutcome struct {
	status uint32
	first  uint64
	err    *C.kmb_error
}

//export kmbGoAppendDone
func kmbGoAppendDone(handle C.uintptr_t, status C.enum_kmb_status, first C.uint64_t, cError *C.struct_kmb_error) {
	done := cgo.Handle(handle).Value().(chan appendOutcome)
	// Buffered for one: the only send never blocks the runtime's thread.
	done <- appendOutcome{status: uint32(status), first: uint64(first), err: cError}
}
