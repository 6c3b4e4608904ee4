package kimberlite

import (
	"errors"
	"testing"
)

// A queue whose take failed fails every call waiting on it, including one whose
// outcome was handed over but not received yet, and refuses new calls, so no
// goroutine waits for an outcome no one will take.
func TestABrokenCompletionQueueFailsWaitingCallsAndRefusesNewOnes(t *testing.T) {
	q, err := newCompletions()
	if err != nil {
		t.Fatal(err)
	}
	defer q.close()
	waiting, waitingSlot, err := q.slot()
	if err != nil {
		t.Fatal(err)
	}
	handed, handedSlot, err := q.slot()
	if err != nil {
		t.Fatal(err)
	}
	if waiting == handed {
		t.Fatalf("two running calls share context %d", waiting)
	}
	handedSlot <- outcome{status: 0, value: 7}
	broken := errors.New("the queue broke")
	q.fail(broken)

	if got := q.await(testContext(t), waiting, waitingSlot); !errors.Is(got.failed, broken) {
		t.Fatalf("want the queue's failure for a waiting call, got %+v", got)
	}
	if got := q.await(testContext(t), handed, handedSlot); got.failed != nil || got.value != 7 {
		t.Fatalf("want the outcome handed before the failure, got %+v", got)
	}
	if _, _, err := q.slot(); !errors.Is(err, broken) {
		t.Fatalf("want new calls refused with the failure, got %v", err)
	}
}
