package kimberlite

import (
	"fmt"
	"reflect"
	"testing"
)

// Audit metadata of the options and of a WithAudit client reaches kimberlite_audit.
func TestAuditMetadataReachesTheAuditView(t *testing.T) {
	ctx := testContext(t)
	client, err := Connect(ctx, Options{Address: devAddress, TenantID: 20, Audit: &Audit{Actor: "svc.intake"}})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	table := unique("visits")
	if _, err := client.Execute(ctx, "CREATE TABLE "+table+" (id BIGINT PRIMARY KEY, note TEXT)"); err != nil {
		t.Fatal(err)
	}
	doctor, err := client.WithAudit(Audit{Actor: "dr.ada", Reason: "treatment", CorrelationID: "visit-42"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := doctor.Execute(ctx, "INSERT INTO "+table+" (id, note) VALUES ($1, $2)", 1, "seen"); err != nil {
		t.Fatal(err)
	}
	// Closing the derived client leaves the first one working, with its own metadata.
	if err := doctor.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Execute(ctx, "UPDATE "+table+" SET note = $1 WHERE id = $2", "billed", 1); err != nil {
		t.Fatal(err)
	}
	rows, err := client.Query(ctx, "SELECT actor, reason, correlation_id, statement FROM kimberlite_audit WHERE table_name = $1 ORDER BY position", table)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(rows.Values)
	want := fmt.Sprint([][]any{
		{"svc.intake", nil, nil, "CREATE TABLE"},
		{"dr.ada", "treatment", "visit-42", "INSERT"},
		{"svc.intake", nil, nil, "UPDATE"},
	})
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("audit rows:\n got %s\nwant %s", got, want)
	}
}
