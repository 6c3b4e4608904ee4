package kimberlite

// A database/sql driver: sql.Open("kimberlite", dsn) with the DSN
// "kimberlite://host:port?tenant=1&token=...&state_directory=...". Query and Exec
// take $1, $2, ... parameters; an At(position) argument runs the query at that
// SQL log position (time travel), as does AS OF in the SQL text itself.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"
)

func init() {
	sql.Register("kimberlite", &Driver{})
}

// Driver is the database/sql driver, registered as "kimberlite".
type Driver struct{}

// Position is a SQL log position; pass At(position) as a query argument for time travel.
type Position Offset

// At asks for the state that includes the SQL log record at position.
func At(position Offset) Position { return Position(position) }

// ParseDSN reads "kimberlite://host:port?tenant=N&token=T&state_directory=D".
func ParseDSN(dsn string) (Options, error) {
	parsed, err := url.Parse(dsn)
	if err != nil || parsed.Scheme != "kimberlite" || parsed.Host == "" {
		return Options{}, fmt.Errorf("kimberlite: DSN %q is not kimberlite://host:port?tenant=N", dsn)
	}
	query := parsed.Query()
	options := Options{Address: parsed.Host, TenantID: 1}
	if tenant := query.Get("tenant"); tenant != "" {
		if options.TenantID, err = strconv.ParseUint(tenant, 10, 64); err != nil {
			return Options{}, fmt.Errorf("kimberlite: DSN tenant %q: %w", tenant, err)
		}
	}
	options.AuthToken = query.Get("token")
	options.StateDirectory = query.Get("state_directory")
	return options, nil
}

// Open connects with a DSN.
func (d *Driver) Open(dsn string) (driver.Conn, error) {
	options, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	client, err := Connect(context.Background(), options)
	if err != nil {
		return nil, err
	}
	return &conn{client: client}, nil
}

type conn struct{ client *Client }

var (
	_ driver.QueryerContext    = (*conn)(nil)
	_ driver.ExecerContext     = (*conn)(nil)
	_ driver.NamedValueChecker = (*conn)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) { return &stmt{conn: c, query: query}, nil }
func (c *conn) Close() error                              { return c.client.Close() }
func (c *conn) Begin() (driver.Tx, error) {
	return nil, errors.New("kimberlite: transactions are not supported; each statement commits")
}

// CheckNamedValue lets the package's own value types and Position through.
func (c *conn) CheckNamedValue(value *driver.NamedValue) error {
	switch value.Value.(type) {
	case Position, Decimal, JSON, Date, TimeOfDay, UUID, TimestampTZ, int, int32, uint32, float32:
		return nil
	}
	converted, err := driver.DefaultParameterConverter.ConvertValue(value.Value)
	value.Value = converted
	return err
}

func splitArgs(args []driver.NamedValue) ([]any, *Position) {
	params := make([]any, 0, len(args))
	var position *Position
	for _, arg := range args {
		if p, ok := arg.Value.(Position); ok {
			position = &p
			continue
		}
		params = append(params, arg.Value)
	}
	return params, position
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	params, position := splitArgs(args)
	var result *Rows
	var err error
	if position != nil {
		result, err = c.client.QueryAt(ctx, query, Offset(*position), params...)
	} else {
		result, err = c.client.Query(ctx, query, params...)
	}
	if err != nil {
		return nil, err
	}
	return &rows{result: result}, nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	params, _ := splitArgs(args)
	done, err := c.client.Execute(ctx, query, params...)
	if err != nil {
		return nil, err
	}
	return result{done}, nil
}

type stmt struct {
	conn  *conn
	query string
}

func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return -1 }
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.conn.ExecContext(context.Background(), s.query, named(args))
}
func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.conn.QueryContext(context.Background(), s.query, named(args))
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, arg := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: arg}
	}
	return out
}

// result is an Exec's result; LogOffset gives the SQL log position for At.
type result struct{ done ExecuteResult }

func (r result) LastInsertId() (int64, error) {
	return int64(r.done.LogOffset), nil
}
func (r result) RowsAffected() (int64, error) { return int64(r.done.RowsAffected), nil }

type rows struct {
	result *Rows
	next   int
}

func (r *rows) Columns() []string { return r.result.Columns }
func (r *rows) Close() error      { return nil }
func (r *rows) Next(dest []driver.Value) error {
	if r.next >= len(r.result.Values) {
		return io.EOF
	}
	for i, value := range r.result.Values[r.next] {
		dest[i] = toDriverValue(value)
	}
	r.next++
	return nil
}

func toDriverValue(value any) driver.Value {
	switch v := value.(type) {
	case Decimal:
		return string(v)
	case JSON:
		return string(v)
	case Date:
		return int64(v)
	case TimeOfDay:
		return int64(v)
	case UUID:
		return v[:]
	case TimestampTZ:
		return time.Time(v)
	}
	return value
}
