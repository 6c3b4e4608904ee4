package kimberlite

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's quickstart is examples/quickstart/main.go, and it runs.
func TestReadmeQuickstartRuns(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	program, err := os.ReadFile("examples/quickstart/main.go")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(readme), "```go\n")
	end := strings.Index(string(readme)[start+6:], "```")
	if start < 0 || end < 0 || string(readme)[start+6:start+6+end] != string(program) {
		t.Fatal("the README's go block is not examples/quickstart/main.go")
	}
	root, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if rootStart := strings.Index(string(root), "```go\n"); rootStart < 0 ||
		!strings.HasPrefix(string(root)[rootStart+6:], string(program)+"```") {
		t.Error("the root README's go block is not examples/quickstart/main.go")
	}
	command := exec.Command("go", "run", "./examples/quickstart")
	command.Env = append(os.Environ(), "KIMBERLITE_ADDRESS="+devAddress)
	out, err := command.CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart: %v\n%s", err, out)
	}
	var first int
	if _, err := fmt.Sscanf(string(out), "connected to "+devAddress+"\nappended 2 events at offset %d", &first); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	for _, line := range []string{
		fmt.Sprintf("verified %d: hello\nverified %d: world\n", first, first+1),
		"a stale expected offset is refused: OffsetMismatch",
		fmt.Sprintf("row %d: world now, hello at SQL log position", first),
	} {
		if !strings.Contains(string(out), line) {
			t.Errorf("the output lacks %q:\n%s", line, out)
		}
	}
}
