package kimberlite

// The bridge from context.Context to the C ABI's kmb_cancel: when the context ends
// (cancelled or past its deadline), the handle is triggered and the blocking call
// returns at once.

/*
#include "kimberlite.h"
*/
import "C"

import (
	"context"
	"sync"
)

// withCancel runs call with a cancel handle tied to ctx (NULL when ctx can never
// end) and returns its error, ctx.Err() when the context ended the call.
func withCancel(ctx context.Context, call func(cancel *C.kmb_cancel, cError **C.kmb_error) uint32) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var cError *C.kmb_error
	if ctx.Done() == nil {
		return takeError(ctx, call(nil, &cError), cError)
	}
	cancel := C.kmb_cancel_new()
	var mu sync.Mutex
	freed := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !freed {
			C.kmb_cancel_trigger(cancel)
		}
	})
	status := call(cancel, &cError)
	stop()
	mu.Lock()
	freed = true
	C.kmb_cancel_free(cancel)
	mu.Unlock()
	return takeError(ctx, status, cError)
}
