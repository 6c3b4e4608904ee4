package kimberlite

// Errors: every failure of the C ABI becomes an *Error with the client's stable
// numbered code; errors.Is matches it against the Err* sentinels by code.

/*
#include <stdlib.h>
#include "kimberlite.h"
*/
import "C"

import (
	"context"
	"fmt"
)

// Code is the stable number of a failure: server codes (0-127), client codes
// (1000-1005), verification codes (1100-1109).
type Code uint32

// Error is a failed call.
type Error struct {
	// Code is the failure's stable number.
	Code Code
	// Name is the code's name, e.g. "OffsetMismatch".
	Name string
	// Message says what happened, with its causes.
	Message string
	// Retryable says whether the same call may succeed if made again.
	Retryable bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("kimberlite: %s (%d): %s", e.Name, e.Code, e.Message)
}

// Is matches errors with the same code, so errors.Is(err, ErrOffsetMismatch) works.
func (e *Error) Is(target error) bool {
	other, ok := target.(*Error)
	return ok && other.Code == e.Code
}

func sentinel(code Code, name string) *Error {
	return &Error{Code: code, Name: name, Message: name}
}

// Sentinels for errors.Is, by code.
var (
	ErrInternal                = sentinel(1, "InternalError")
	ErrInvalidRequest          = sentinel(2, "InvalidRequest")
	ErrAuthenticationFailed    = sentinel(3, "AuthenticationFailed")
	ErrTenantNotFound          = sentinel(4, "TenantNotFound")
	ErrStreamNotFound          = sentinel(5, "StreamNotFound")
	ErrTableNotFound           = sentinel(6, "TableNotFound")
	ErrQueryParse              = sentinel(7, "QueryParseError")
	ErrQueryExecution          = sentinel(8, "QueryExecutionError")
	ErrPositionAhead           = sentinel(9, "PositionAhead")
	ErrStreamAlreadyExists     = sentinel(10, "StreamAlreadyExists")
	ErrInvalidOffset           = sentinel(11, "InvalidOffset")
	ErrOffsetMismatch          = sentinel(16, "OffsetMismatch")
	ErrSubscriptionNotFound    = sentinel(17, "SubscriptionNotFound")
	ErrSubscriptionClosed      = sentinel(18, "SubscriptionClosed")
	ErrAPIKeyNotFound          = sentinel(20, "ApiKeyNotFound")
	ErrTenantAlreadyExists     = sentinel(21, "TenantAlreadyExists")
	ErrPermissionDenied        = sentinel(65, "PermissionDenied")
	ErrVerificationUnavailable = sentinel(67, "VerificationUnavailable")
	ErrConnection              = sentinel(1000, "Connection")
	ErrTimeout                 = sentinel(1001, "Timeout")
	ErrProtocol                = sentinel(1002, "Protocol")
	ErrUnsupported             = sentinel(1003, "Unsupported")
	ErrInvalidArgument         = sentinel(1004, "InvalidArgument")
	ErrTrustedState            = sentinel(1005, "TrustedState")
	ErrBadSignature            = sentinel(1100, "BadSignature")
	ErrUnknownKey              = sentinel(1101, "UnknownKey")
	ErrFork                    = sentinel(1102, "Fork")
	ErrRollback                = sentinel(1103, "Rollback")
	ErrNotIncluded             = sentinel(1104, "NotIncluded")
	ErrMalformedProof          = sentinel(1105, "MalformedProof")
	ErrUnsupportedVersion      = sentinel(1106, "UnsupportedVersion")
	ErrWrongOrigin             = sentinel(1107, "WrongOrigin")
	ErrBrokenChain             = sentinel(1108, "BrokenChain")
	ErrCorruptTrustedState     = sentinel(1109, "CorruptTrustedState")
	// ErrClosed is returned by calls on a closed Client or Subscription; it has
	// the InvalidArgument code.
	ErrClosed = &Error{Code: 1004, Name: "InvalidArgument", Message: "closed"}
)

// IsVerificationFailure reports whether err is a refused verification (codes 1100+).
func IsVerificationFailure(err error) bool {
	var e *Error
	return asError(err, &e) && e.Code >= 1100 && e.Code < 1200
}

func asError(err error, target **Error) bool {
	for err != nil {
		if e, ok := err.(*Error); ok {
			*target = e
			return true
		}
		unwrapper, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = unwrapper.Unwrap()
	}
	return false
}

// takeError turns a status and its error object into a Go error, freeing the object.
// A cancelled call reports the context's error.
func takeError(ctx context.Context, status uint32, cError *C.kmb_error) error {
	if status == C.KMB_OK {
		return nil
	}
	defer C.kmb_error_free(cError)
	if status == C.KMB_CANCELLED && ctx != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return &Error{
		Code:      Code(C.kmb_error_code(cError)),
		Name:      C.GoString(C.kmb_error_name(cError)),
		Message:   C.GoString(C.kmb_error_message(cError)),
		Retryable: bool(C.kmb_error_is_retryable(cError)),
	}
}
