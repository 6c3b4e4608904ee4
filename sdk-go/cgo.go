// Package kimberlite is the Go client of Kimberlite, a verifiable, durable database:
// a hash-chained immutable log per stream, verified reads checked against signed
// checkpoints, and SQL with time travel.
//
//	client, err := kimberlite.Connect(ctx, kimberlite.Options{Address: "127.0.0.1:5432", TenantID: 1})
//	if err != nil { ... }
//	defer client.Close()
//	stream, err := client.CreateStream(ctx, "events", kimberlite.Public, "")
//	first, err := client.Append(ctx, stream, [][]byte{[]byte("hello")}, 0)
//	read, err := client.ReadVerified(ctx, stream, 0, 1<<20)
//
// The package is a thin layer over the C ABI of the Rust client (ffi/, header
// include/kimberlite.h), linked statically with cgo: protocol, hashing and proof
// checking all happen there. Every call honours its context: cancellation and
// deadlines end the call at once with ctx.Err(). A Client may be used from many
// goroutines at once. Errors are *Error values with a stable Code; use errors.Is
// with the Err* sentinels.
//
// Building: the static library must exist before `go build`. From the repository
// root run `cargo build -p kimberlite-ffi`, which writes
// target/debug/libkimberlite_ffi.a; the cgo flags below find it and the header
// relative to this directory. All cgo flags of the package are in this file.
package kimberlite

/*
#cgo CFLAGS: -I${SRCDIR}/../ffi/include
#cgo LDFLAGS: ${SRCDIR}/../target/debug/libkimberlite_ffi.a -lpthread -ldl -lm
#include "kimberlite.h"
*/
import "C"
