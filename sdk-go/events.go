package kimberlite

// Events read back through the C ABI's kmb_events, copied into Go memory.

/*
#include "kimberlite.h"
*/
import "C"

import "unsafe"

// Event is one event of a stream.
type Event struct {
	// Offset is the event's position in its stream.
	Offset Offset
	// TimestampNs is the server's commit time (ns since the Unix epoch); set by
	// verified reads only.
	TimestampNs uint64
	// Payload is the event bytes.
	Payload []byte
}

// ReadResult is what Read returns.
type ReadResult struct {
	// Events are the events read, in offset order.
	Events []Event
	// NextOffset is the offset after the last event; nil when none was read.
	NextOffset *Offset
}

// Checkpoint is a signed commitment to a stream's first Size records.
type Checkpoint struct {
	// Size is the number of records in the tree.
	Size uint64
	// Root is the RFC 6962 Merkle root of their hashes.
	Root [32]byte
}

// VerifiedRead is what ReadVerified returns.
type VerifiedRead struct {
	ReadResult
	// Checkpoint is the signed checkpoint the events were verified against.
	Checkpoint Checkpoint
}

func takeEvents(events *C.kmb_events) ReadResult {
	count := int(C.kmb_events_count(events))
	read := ReadResult{Events: make([]Event, 0, count)}
	for i := 0; i < count; i++ {
		var event C.kmb_event
		if C.kmb_events_get(events, C.size_t(i), &event, nil) != C.KMB_OK {
			continue
		}
		read.Events = append(read.Events, Event{
			Offset:      Offset(event.offset),
			TimestampNs: uint64(event.timestamp_ns),
			Payload:     C.GoBytes(unsafe.Pointer(event.data), C.int(event.len)),
		})
	}
	var next C.uint64_t
	if C.kmb_events_next_offset(events, &next) {
		offset := Offset(next)
		read.NextOffset = &offset
	}
	return read
}
