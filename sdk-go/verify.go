package kimberlite

// Pure verification over bytes, through the C ABI (the Rust client and protocol
// crates do the hashing and proof checking): record hashes, Merkle roots,
// inclusion and consistency proofs, signed checkpoints.

/*
#include <stdlib.h>
#include "kimberlite.h"
*/
import "C"

import (
	"context"
	"unsafe"
)

func hashPointer(hash *[32]byte) *C.uint8_t {
	return (*C.uint8_t)(unsafe.Pointer(&hash[0]))
}

func hashesPointer(hashes [][32]byte) *C.uint8_t {
	if len(hashes) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&hashes[0][0]))
}

func pure(status uint32, cError *C.kmb_error) error {
	return takeError(context.Background(), status, cError)
}

// GenesisHash is the prev_hash of a stream's first record.
func GenesisHash(tenant uint64, stream StreamID) ([32]byte, error) {
	var out [32]byte
	var cError *C.kmb_error
	err := pure(C.kmb_verify_genesis_hash(C.uint64_t(tenant), C.uint64_t(stream), hashPointer(&out), &cError), cError)
	return out, err
}

// Record is a record of a stream's hash chain.
type Record struct {
	Tenant      uint64
	Stream      StreamID
	Offset      Offset
	TimestampNs uint64
	// Kind is the record kind byte (0 for an event).
	Kind     uint8
	PrevHash [32]byte
	Payload  []byte
}

// RecordHash is the record's hash (its Merkle leaf).
func RecordHash(record Record) ([32]byte, error) {
	var out [32]byte
	var payload *C.uint8_t
	if len(record.Payload) > 0 {
		payload = (*C.uint8_t)(unsafe.Pointer(&record.Payload[0]))
	}
	var cError *C.kmb_error
	status := C.kmb_verify_record_hash(C.uint64_t(record.Tenant), C.uint64_t(record.Stream), C.uint64_t(record.Offset),
		C.uint64_t(record.TimestampNs), C.uint8_t(record.Kind), hashPointer(&record.PrevHash), payload,
		C.size_t(len(record.Payload)), hashPointer(&out), &cError)
	return out, pure(status, cError)
}

// MerkleRoot is the RFC 6962 root of the leaf hashes.
func MerkleRoot(leaves [][32]byte) ([32]byte, error) {
	var out [32]byte
	var cError *C.kmb_error
	status := C.kmb_verify_merkle_root(hashesPointer(leaves), C.size_t(len(leaves)), hashPointer(&out), &cError)
	return out, pure(status, cError)
}

// VerifyInclusion checks that leaf is at index of the tree of size leaves with
// root; ErrNotIncluded or ErrMalformedProof otherwise.
func VerifyInclusion(leaf [32]byte, index, size uint64, proof [][32]byte, root [32]byte) error {
	var cError *C.kmb_error
	status := C.kmb_verify_inclusion(hashPointer(&leaf), C.uint64_t(index), C.uint64_t(size),
		hashesPointer(proof), C.size_t(len(proof)), hashPointer(&root), &cError)
	return pure(status, cError)
}

// VerifyConsistency checks that the tree newer extends the tree older, as a verified
// read does; ErrRollback, ErrFork or ErrMalformedProof otherwise.
func VerifyConsistency(older, newer Checkpoint, proof [][32]byte) error {
	var cError *C.kmb_error
	status := C.kmb_verify_consistency(C.uint64_t(older.Size), hashPointer(&older.Root), C.uint64_t(newer.Size),
		hashPointer(&newer.Root), hashesPointer(proof), C.size_t(len(proof)), &cError)
	return pure(status, cError)
}

// OpenCheckpoint opens a signed checkpoint note with the verifier key and the
// expected origin line; ErrBadSignature, ErrUnknownKey, ErrWrongOrigin, ... otherwise.
func OpenCheckpoint(note, verifierKey, origin string) (Checkpoint, error) {
	cNote, cKey, cOrigin := C.CString(note), C.CString(verifierKey), C.CString(origin)
	defer C.free(unsafe.Pointer(cNote))
	defer C.free(unsafe.Pointer(cKey))
	defer C.free(unsafe.Pointer(cOrigin))
	var checkpoint Checkpoint
	var size C.uint64_t
	var cError *C.kmb_error
	status := C.kmb_verify_checkpoint(cNote, cKey, cOrigin, &size, hashPointer(&checkpoint.Root), &cError)
	checkpoint.Size = uint64(size)
	return checkpoint, pure(status, cError)
}
