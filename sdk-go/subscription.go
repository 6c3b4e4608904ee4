package kimberlite

// Subscriptions over the C ABI's kmb_subscription: Next with a context, an
// iterator, and a channel.

/*
#include <stdlib.h>
#include "kimberlite.h"
*/
import "C"

import (
	"context"
	"iter"
	"runtime"
	"sync"
	"unsafe"
)

// SubscribeOptions says how a subscription is opened.
type SubscribeOptions struct {
	// Credits bounds how many events the server pushes ahead (0: 64).
	Credits uint32
	// ConsumerGroup shares events among subscribers of one group ("" for none).
	ConsumerGroup string
}

// Subscription receives a stream's events as the server pushes them. Close it when
// done (a finalizer closes it otherwise). Next is not for concurrent use.
type Subscription struct {
	mu     sync.Mutex
	client *Client
	handle *C.kmb_subscription
	stop   context.CancelFunc
	done   context.Context
}

// Subscribe subscribes to the stream from the offset from.
func (c *Client) Subscribe(ctx context.Context, stream StreamID, from Offset, options SubscribeOptions) (*Subscription, error) {
	var group *C.char
	if options.ConsumerGroup != "" {
		group = C.CString(options.ConsumerGroup)
		defer C.free(unsafe.Pointer(group))
	}
	var handle *C.kmb_subscription
	err := c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_subscribe(h, C.uint64_t(stream), C.uint64_t(from), C.uint32_t(options.Credits), group, cancel, &handle, e)
	})
	if err != nil {
		return nil, err
	}
	done, stop := context.WithCancel(context.Background())
	subscription := &Subscription{client: c, handle: handle, stop: stop, done: done}
	runtime.SetFinalizer(subscription, (*Subscription).Close)
	return subscription, nil
}

// Next waits for the next event; ok is false once the server ended the
// subscription. ctx ends the wait without losing an event.
func (s *Subscription) Next(ctx context.Context) (event Event, ok bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.done, cancel)
	defer stop()
	s.client.mu.RLock()
	defer s.client.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handle == nil || s.client.handle == nil {
		return Event{}, false, ErrClosed
	}
	var events *C.kmb_events
	err = withCancel(ctx, func(cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_subscription_next(s.handle, cancel, &events, e)
	})
	if err != nil {
		if s.done.Err() != nil {
			return Event{}, false, ErrClosed
		}
		return Event{}, false, err
	}
	if events == nil {
		return Event{}, false, nil
	}
	defer C.kmb_events_free(events)
	read := takeEvents(events)
	if len(read.Events) == 0 {
		return Event{}, false, nil
	}
	return read.Events[0], true, nil
}

// All iterates over events until the subscription ends, ctx ends or a call fails
// (the failure is the last item).
func (s *Subscription) All(ctx context.Context) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			event, ok, err := s.Next(ctx)
			if err != nil {
				yield(Event{}, err)
				return
			}
			if !ok || !yield(event, nil) {
				return
			}
		}
	}
}

// Channel delivers events on a channel until the subscription ends, ctx ends or a
// call fails; the channel is then closed and *errOut holds the failure (if any)
// once the channel is drained.
func (s *Subscription) Channel(ctx context.Context, errOut *error) <-chan Event {
	events := make(chan Event)
	go func() {
		defer close(events)
		for event, err := range s.All(ctx) {
			if err != nil {
				*errOut = err
				return
			}
			select {
			case events <- event:
			case <-ctx.Done():
				*errOut = ctx.Err()
				return
			}
		}
	}()
	return events
}

// Close ends the subscription (waiting for the server's acknowledgement) and
// releases it. It is idempotent; a Next waiting meanwhile returns ErrClosed.
func (s *Subscription) Close() error {
	s.stop()
	s.client.mu.RLock()
	defer s.client.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.handle == nil {
		return nil
	}
	var err error
	if s.client.handle != nil {
		var cError *C.kmb_error
		status := C.kmb_subscription_cancel(s.handle, nil, &cError)
		err = takeError(context.Background(), status, cError)
	}
	C.kmb_subscription_free(s.handle)
	s.handle = nil
	runtime.SetFinalizer(s, nil)
	return err
}
