package kimberlite

// The trusted-state directory is core's format (docs/client.md, "The
// trusted-state directory"): what a Go client writes has that layout and opens
// under the pinned key, and files laid out that way by any other client (a pinned
// key, a stored checkpoint) are what a Go client goes by.

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const stateTenant = 19

// stateFiles gives the key file and a stream's checkpoint file of a state directory.
func stateFiles(dir, address, verifierKey string, stream StreamID) (key, checkpoint string) {
	parts := strings.SplitN(verifierKey, "+", 3)
	key = filepath.Join(dir, "keys", hex.EncodeToString([]byte(address)))
	checkpoint = filepath.Join(dir, "checkpoints", parts[1], fmt.Sprintf("%d-%d", stateTenant, stream))
	return key, checkpoint
}

// verifiedReadWithState appends two events to a new stream and reads them verified
// with a client keeping its state in dir.
func verifiedReadWithState(t *testing.T, dir, name string) (StreamID, *VerifiedRead, ServerInfo) {
	t.Helper()
	ctx := testContext(t)
	client, err := Connect(ctx, Options{Address: devAddress, TenantID: stateTenant, StateDirectory: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	stream, err := client.CreateStream(ctx, unique(name), Public, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Append(ctx, stream, [][]byte{[]byte("a"), []byte("b")}, 0); err != nil {
		t.Fatal(err)
	}
	read, err := client.ReadVerified(ctx, stream, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	info, err := client.ServerInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return stream, read, info
}

func TestTheStateDirectoryHasCoresLayout(t *testing.T) {
	dir := t.TempDir()
	stream, read, info := verifiedReadWithState(t, dir, "layout")
	keyFile, checkpointFile := stateFiles(dir, devAddress, info.SigningKey, stream)
	if key, err := os.ReadFile(keyFile); err != nil || string(key) != info.SigningKey+"\n" {
		t.Fatalf("pinned key file %s: %q %v", keyFile, key, err)
	}
	contents, err := os.ReadFile(checkpointFile)
	if err != nil {
		t.Fatal(err)
	}
	header := "kimberlite trusted checkpoint v1\nkey " + info.SigningKey + "\n"
	note, ok := strings.CutPrefix(string(contents), header)
	if !ok {
		t.Fatalf("checkpoint file %s does not start with %q: %q", checkpointFile, header, contents)
	}
	name := strings.SplitN(info.SigningKey, "+", 2)[0]
	origin := fmt.Sprintf("%s/tenant/%d/stream/%d", name, stateTenant, stream)
	stored, err := OpenCheckpoint(note, info.SigningKey, origin)
	if err != nil || stored != read.Checkpoint {
		t.Fatalf("the stored note opens to %+v (%v), the read was verified at %+v", stored, err, read.Checkpoint)
	}
}

func TestFilesInCoresLayoutAreHonoured(t *testing.T) {
	ctx := testContext(t)
	// A key pinned for this address by another client: the test key of
	// tests/vectors/notes.json, not this server's.
	pinned := t.TempDir()
	stream, _, info := verifiedReadWithState(t, t.TempDir(), "honoured")
	keyFile, _ := stateFiles(pinned, devAddress, info.SigningKey, stream)
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		t.Fatal(err)
	}
	other := "db.kimberlite.test+8e76714d+AcOeWh7NBHUCt4Hn+HBfvVUX1gAjMoAhTyssv9gutYKa\n"
	if err := os.WriteFile(keyFile, []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	client, err := Connect(ctx, Options{Address: devAddress, TenantID: stateTenant, StateDirectory: pinned})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.ReadVerified(ctx, stream, 0, 1<<20); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("want UnknownKey under a key pinned in the directory, got %v", err)
	}

	// A stored checkpoint edited by hand is refused, naming the file.
	dir := t.TempDir()
	stream, _, _ = verifiedReadWithState(t, dir, "edited")
	_, checkpointFile := stateFiles(dir, devAddress, info.SigningKey, stream)
	contents, err := os.ReadFile(checkpointFile)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(contents), "\n2\n", "\n1\n", 1)
	if edited == string(contents) {
		t.Fatalf("no tree size line in %q", contents)
	}
	if err := os.WriteFile(checkpointFile, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := Connect(ctx, Options{Address: devAddress, TenantID: stateTenant, StateDirectory: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	_, err = again.ReadVerified(ctx, stream, 0, 1<<20)
	var kmbErr *Error
	if !errors.Is(err, ErrCorruptTrustedState) || !errors.As(err, &kmbErr) ||
		!strings.Contains(kmbErr.Message, fmt.Sprintf("%d-%d", stateTenant, stream)) {
		t.Fatalf("want CorruptTrustedState naming the file, got %v", err)
	}
}
