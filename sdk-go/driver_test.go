package kimberlite

import (
	"database/sql"
	"testing"
)

func TestParseDSN(t *testing.T) {
	options, err := ParseDSN("kimberlite://127.0.0.1:5432?tenant=7&token=secret&state_directory=/tmp/x")
	if err != nil || options.Address != "127.0.0.1:5432" || options.TenantID != 7 ||
		options.AuthToken != "secret" || options.StateDirectory != "/tmp/x" {
		t.Fatalf("%+v %v", options, err)
	}
	for _, bad := range []string{"postgres://h:1", "kimberlite://h:1?tenant=x", "kimberlite:///"} {
		if _, err := ParseDSN(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestDatabaseSQLDriver(t *testing.T) {
	db, err := sql.Open("kimberlite", "kimberlite://"+devAddress+"?tenant=17")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := testContext(t)
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS items (id BIGINT PRIMARY KEY, label TEXT)")
	if err != nil {
		t.Fatal(err)
	}
	result, err := db.ExecContext(ctx, "INSERT INTO items (id, label) VALUES ($1, $2)", 1, "first")
	if err != nil {
		t.Fatal(err)
	}
	if affected, _ := result.RowsAffected(); affected != 1 {
		t.Fatalf("rows affected %d", affected)
	}
	position, _ := result.LastInsertId()
	if _, err := db.ExecContext(ctx, "INSERT INTO items (id, label) VALUES ($1, $2)", 2, "second"); err != nil {
		t.Fatal(err)
	}
	var count int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM items").Scan(&count); err != nil || count != 2 {
		t.Fatalf("count %d %v", count, err)
	}
	var label string
	row := db.QueryRowContext(ctx, "SELECT label FROM items WHERE id = $1", 1, At(Offset(position)))
	if err := row.Scan(&label); err != nil || label != "first" {
		t.Fatalf("time travel: %q %v", label, err)
	}
	var then int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM items", At(Offset(position))).Scan(&then); err != nil || then != 1 {
		t.Fatalf("count at the first insert: %d %v", then, err)
	}
}

func TestDatabaseSQLTypedValues(t *testing.T) {
	db, err := sql.Open("kimberlite", "kimberlite://"+devAddress+"?tenant=18")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := testContext(t)
	table := unique("typed")
	if _, err := db.ExecContext(ctx, "CREATE TABLE "+table+" (id BIGINT PRIMARY KEY, label TEXT, score REAL, active BOOLEAN, blob BYTES)"); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, "INSERT INTO "+table+" (id, label, score, active, blob) VALUES ($1, $2, $3, $4, $5)",
		int64(-1)<<40, "caf\u00e9", 2.25, true, []byte{0, 1, 255})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO "+table+" (id, label, score, active, blob) VALUES ($1, $2, $3, $4, $5)",
		7, nil, nil, false, nil); err != nil {
		t.Fatal(err)
	}
	var (
		id     int64
		label  sql.NullString
		score  sql.NullFloat64
		active bool
		blob   []byte
	)
	row := db.QueryRowContext(ctx, "SELECT id, label, score, active, blob FROM "+table+" WHERE id < $1", 0)
	if err := row.Scan(&id, &label, &score, &active, &blob); err != nil {
		t.Fatal(err)
	}
	if id != int64(-1)<<40 || label.String != "caf\u00e9" || score.Float64 != 2.25 || !active ||
		string(blob) != "\x00\x01\xff" {
		t.Fatalf("typed row: %d %v %v %v %v", id, label, score, active, blob)
	}
	row = db.QueryRowContext(ctx, "SELECT label, score, active, blob FROM "+table+" WHERE id = $1", 7)
	if err := row.Scan(&label, &score, &active, &blob); err != nil {
		t.Fatal(err)
	}
	if label.Valid || score.Valid || active || blob != nil {
		t.Fatalf("NULLs and false: %v %v %v %v", label, score, active, blob)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO "+table+" (id) VALUES ($1)", struct{}{}); err == nil {
		t.Fatal("a parameter of no SQL type was accepted")
	}
}
