package kimberlite

import (
	"os"
	"os/exec"
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
	out, err := exec.Command("go", "run", "./examples/quickstart", devAddress).CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart: %v\n%s", err, out)
	}
	for _, line := range []string{"connected to", "appended 2 events at offset 0", "read 1: world", "verified 2 events"} {
		if !strings.Contains(string(out), line) {
			t.Errorf("the output lacks %q:\n%s", line, out)
		}
	}
}
