package kimberlite

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSubscriptionDeliversEventsInOrder(t *testing.T) {
	ctx, client := testContext(t), connect(t, 15)
	stream, err := client.CreateStream(ctx, "subscribed", Public, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Append(ctx, stream, [][]byte{[]byte("e0"), []byte("e1")}, 0); err != nil {
		t.Fatal(err)
	}
	subscription, err := client.Subscribe(ctx, stream, 0, SubscribeOptions{Credits: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer subscription.Close()
	if _, err := client.Append(ctx, stream, [][]byte{[]byte("e2"), []byte("e3")}, 2); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for event, err := range subscription.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if event.Offset != Offset(len(seen)) {
			t.Fatalf("event at offset %d after %d events", event.Offset, len(seen))
		}
		seen = append(seen, string(event.Payload))
		if len(seen) == 4 {
			break
		}
	}
	if seen[3] != "e3" {
		t.Fatalf("events: %v", seen)
	}
	if err := subscription.Close(); err != nil {
		t.Fatal(err)
	}
	if err := subscription.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := subscription.Next(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("want ErrClosed after Close, got %v", err)
	}
}

func TestADeadlineEndsAWaitingNextWithoutLosingEvents(t *testing.T) {
	ctx, client := testContext(t), connect(t, 15)
	stream, err := client.CreateStream(ctx, "quiet", Public, "")
	if err != nil {
		t.Fatal(err)
	}
	subscription, err := client.Subscribe(ctx, stream, 0, SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer subscription.Close()
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, _, err := subscription.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded from a wait with no events, got %v", err)
	}
	if _, err := client.Append(ctx, stream, [][]byte{[]byte("late")}, 0); err != nil {
		t.Fatal(err)
	}
	var failure error
	events := subscription.Channel(ctx, &failure)
	event, ok := <-events
	if !ok || string(event.Payload) != "late" || event.Offset != 0 {
		t.Fatalf("after the cancelled wait: %+v %v %v", event, ok, failure)
	}
}

func TestCloseEndsAWaitingNext(t *testing.T) {
	ctx, client := testContext(t), connect(t, 15)
	stream, err := client.CreateStream(ctx, "closed-while-waiting", Public, "")
	if err != nil {
		t.Fatal(err)
	}
	subscription, err := client.Subscribe(ctx, stream, 0, SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	result := make(chan error, 1)
	go func() {
		_, _, err := subscription.Next(ctx)
		result <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := subscription.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-result; !errors.Is(err, ErrClosed) {
		t.Fatalf("want ErrClosed for the waiting Next, got %v", err)
	}
}
