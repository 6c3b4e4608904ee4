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
		var kmbErr *Error
		if !asError(err, &kmbErr) {
			t.Fatalf("SQL failed without a Kimberlite error: %v", err)
		}
		t.Skipf("SQL is not served by this server: %v", err)
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
