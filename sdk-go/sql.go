package kimberlite

// SQL over the C ABI: Query, QueryAt, Execute, and the conversion of Go values to
// and from kmb_value.

/*
#include <stdlib.h>
#include "kimberlite.h"
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"time"
	"unsafe"
)

// Value kinds (the wire indices) that have no Go type of their own.
type (
	// Decimal is a DECIMAL as its exact text, e.g. "-12.50".
	Decimal string
	// JSON is JSON text.
	JSON string
	// Date is days since 1970-01-01.
	Date int32
	// TimeOfDay is nanoseconds since midnight.
	TimeOfDay uint64
	// UUID is 16 raw bytes.
	UUID [16]byte
	// TimestampTZ is an instant with a time zone, as time.Time in UTC.
	TimestampTZ time.Time
)

// Rows is a query's result, copied into Go values: int64, string, bool, float64,
// []byte, time.Time (TIMESTAMP), TimestampTZ, Decimal, JSON, Date, TimeOfDay, UUID
// or nil (NULL).
type Rows struct {
	// Columns are the column names.
	Columns []string
	// Values holds one slice per row, one value per column.
	Values [][]any
}

// ExecuteResult is what a statement that changes state reports.
type ExecuteResult struct {
	// RowsAffected counts rows inserted, updated or deleted.
	RowsAffected uint64
	// LogOffset is the statement's position in the tenant's SQL log, for QueryAt.
	LogOffset Offset
}

// toValues converts parameters, pinning the Go memory the C values point to.
func toValues(params []any, pinner *runtime.Pinner) ([]C.kmb_value, error) {
	values := make([]C.kmb_value, len(params))
	for i, param := range params {
		value, data, err := toValue(param)
		if err != nil {
			return nil, fmt.Errorf("kimberlite: parameter $%d: %w", i+1, err)
		}
		if len(data) > 0 {
			pinner.Pin(&data[0])
			value.data = (*C.uint8_t)(unsafe.Pointer(&data[0]))
			value.len = C.size_t(len(data))
		}
		values[i] = value
	}
	return values, nil
}

func toValue(param any) (C.kmb_value, []byte, error) {
	var v C.kmb_value
	integer := func(kind uint32, n int64) (C.kmb_value, []byte, error) {
		v.kind, v.integer = C.uint32_t(kind), C.int64_t(n)
		return v, nil, nil
	}
	bytes := func(kind uint32, data []byte) (C.kmb_value, []byte, error) {
		v.kind = C.uint32_t(kind)
		return v, data, nil
	}
	switch p := param.(type) {
	case nil:
		return v, nil, nil
	case int:
		return integer(1, int64(p))
	case int32:
		return integer(1, int64(p))
	case int64:
		return integer(1, p)
	case uint32:
		return integer(1, int64(p))
	case bool:
		if p {
			return integer(3, 1)
		}
		return integer(3, 0)
	case time.Time:
		return integer(4, p.UnixNano())
	case TimestampTZ:
		return integer(71, time.Time(p).UnixNano())
	case Date:
		return integer(67, int64(p))
	case TimeOfDay:
		return integer(68, int64(p))
	case float64:
		v.kind, v.real = 64, C.double(p)
		return v, nil, nil
	case float32:
		v.kind, v.real = 64, C.double(p)
		return v, nil, nil
	case string:
		return bytes(2, []byte(p))
	case []byte:
		return bytes(65, p)
	case Decimal:
		return bytes(66, []byte(p))
	case JSON:
		return bytes(70, []byte(p))
	case UUID:
		return bytes(69, p[:])
	}
	return v, nil, &Error{Code: 1004, Name: "InvalidArgument", Message: fmt.Sprintf("no SQL value for %T", param)}
}

func fromValue(v C.kmb_value) any {
	data := func() []byte { return C.GoBytes(unsafe.Pointer(v.data), C.int(v.len)) }
	n := int64(v.integer)
	switch v.kind {
	case 1:
		return n
	case 2:
		return string(data())
	case 3:
		return n != 0
	case 4:
		return time.Unix(0, n).UTC()
	case 64:
		return float64(v.real)
	case 65:
		return data()
	case 66:
		return Decimal(data())
	case 67:
		return Date(n)
	case 68:
		return TimeOfDay(n)
	case 69:
		var id UUID
		copy(id[:], data())
		return id
	case 70:
		return JSON(data())
	case 71:
		return TimestampTZ(time.Unix(0, n).UTC())
	}
	return nil
}

func takeRows(rows *C.kmb_rows) *Rows {
	defer C.kmb_rows_free(rows)
	result := &Rows{}
	for i := 0; i < int(C.kmb_rows_column_count(rows)); i++ {
		result.Columns = append(result.Columns, C.GoString(C.kmb_rows_column_name(rows, C.size_t(i))))
	}
	count := int(C.kmb_rows_row_count(rows))
	result.Values = make([][]any, count)
	for r := 0; r < count; r++ {
		row := make([]any, len(result.Columns))
		for column := range row {
			var value C.kmb_value
			if C.kmb_rows_get(rows, C.size_t(r), C.size_t(column), &value, nil) == C.KMB_OK {
				row[column] = fromValue(value)
			}
		}
		result.Values[r] = row
	}
	return result
}

type sqlCall func(h *C.kmb_client, sql *C.char, params *C.kmb_value, count C.size_t, cancel *C.kmb_cancel, e **C.kmb_error) uint32

func (c *Client) sql(ctx context.Context, query string, params []any, call sqlCall) error {
	var pinner runtime.Pinner
	defer pinner.Unpin()
	values, err := toValues(params, &pinner)
	if err != nil {
		return err
	}
	var first *C.kmb_value
	if len(values) > 0 {
		first = &values[0]
	}
	text := C.CString(query)
	defer C.free(unsafe.Pointer(text))
	return c.call(ctx, func(h *C.kmb_client, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return call(h, text, first, C.size_t(len(values)), cancel, e)
	})
}

// Query runs a statement on the current state; $1, $2, ... are params.
func (c *Client) Query(ctx context.Context, query string, params ...any) (*Rows, error) {
	var rows *C.kmb_rows
	err := c.sql(ctx, query, params, func(h *C.kmb_client, sql *C.char, p *C.kmb_value, n C.size_t, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_query(h, sql, p, n, cancel, &rows, e)
	})
	if err != nil {
		return nil, err
	}
	return takeRows(rows), nil
}

// QueryAt runs a query on the state that includes the SQL log record at position
// (time travel).
func (c *Client) QueryAt(ctx context.Context, query string, position Offset, params ...any) (*Rows, error) {
	var rows *C.kmb_rows
	err := c.sql(ctx, query, params, func(h *C.kmb_client, sql *C.char, p *C.kmb_value, n C.size_t, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_query_at(h, sql, p, n, C.uint64_t(position), cancel, &rows, e)
	})
	if err != nil {
		return nil, err
	}
	return takeRows(rows), nil
}

// Execute runs a statement that changes state (DDL or DML).
func (c *Client) Execute(ctx context.Context, query string, params ...any) (ExecuteResult, error) {
	var affected, position C.uint64_t
	err := c.sql(ctx, query, params, func(h *C.kmb_client, sql *C.char, p *C.kmb_value, n C.size_t, cancel *C.kmb_cancel, e **C.kmb_error) uint32 {
		return C.kmb_client_execute(h, sql, p, n, cancel, &affected, &position, e)
	})
	return ExecuteResult{RowsAffected: uint64(affected), LogOffset: Offset(position)}, err
}
