package kimberlite

import (
	"errors"
	"testing"
)

func TestSQLQueryExecuteAndTimeTravel(t *testing.T) {
	ctx, client := testContext(t), connect(t, 16)
	if _, err := client.Execute(ctx, "CREATE TABLE people (id BIGINT PRIMARY KEY, name TEXT, score REAL, active BOOLEAN)"); err != nil {
		t.Fatal(err)
	}
	first, err := client.Execute(ctx, "INSERT INTO people (id, name, score, active) VALUES ($1, $2, $3, $4)", 1, "Alice", 1.5, true)
	if err != nil || first.RowsAffected != 1 {
		t.Fatalf("insert: %+v %v", first, err)
	}
	if _, err := client.Execute(ctx, "INSERT INTO people (id, name, score, active) VALUES ($1, $2, $3, $4)", 2, "Bob", nil, false); err != nil {
		t.Fatal(err)
	}
	rows, err := client.Query(ctx, "SELECT id, name, score, active FROM people ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 2 || rows.Columns[1] != "name" || rows.Values[0][1] != "Alice" ||
		rows.Values[0][0] != int64(1) || rows.Values[0][3] != true || rows.Values[1][2] != nil {
		t.Fatalf("rows: %+v", rows)
	}
	then, err := client.QueryAt(ctx, "SELECT name FROM people WHERE id >= $1", first.LogOffset, 0)
	if err != nil || len(then.Values) != 1 || then.Values[0][0] != "Alice" {
		t.Fatalf("time travel: %+v %v", then, err)
	}
	if _, err := client.Query(ctx, "SELEC nonsense"); !errors.Is(err, ErrQueryParse) {
		t.Fatalf("want QueryParseError, got %v", err)
	}
	if _, err := client.Query(ctx, "SELECT * FROM missing_table"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("want TableNotFound, got %v", err)
	}
}
