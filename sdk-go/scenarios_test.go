package kimberlite

// The shared scenarios of tests/scenarios, run with the Go client against one
// authenticating server; the results go to target/scenario-results/go.json.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const firstScenarioTenant = 50000

var (
	wholeVariable  = regexp.MustCompile(`^\$([A-Za-z_][A-Za-z0-9_]*)$`)
	inlineVariable = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

type scenarioStep struct {
	Op     string         `json:"op"`
	Args   map[string]any `json:"args"`
	Expect map[string]any `json:"expect"`
	Save   any            `json:"save"`
}

type scenario struct {
	name  string
	steps []scenarioStep
}

type scenarioOutcome struct {
	Pass    bool   `json:"pass"`
	Message string `json:"message"`
}

// loadScenarios reads every scenario as `file/name`, with its fixture's steps first.
func loadScenarios() ([]scenario, error) {
	dir := filepath.Join("..", "tests", "scenarios")
	var fixtures struct {
		Fixtures map[string][]scenarioStep `json:"fixtures"`
	}
	if err := readJSON(filepath.Join(dir, "fixtures.json"), &fixtures); err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var found []scenario
	for _, file := range files {
		if filepath.Base(file) == "fixtures.json" {
			continue
		}
		var content struct {
			Scenarios []struct {
				Name    string         `json:"name"`
				Fixture string         `json:"fixture"`
				Steps   []scenarioStep `json:"steps"`
			} `json:"scenarios"`
		}
		if err := readJSON(file, &content); err != nil {
			return nil, err
		}
		stem := strings.TrimSuffix(filepath.Base(file), ".json")
		for _, s := range content.Scenarios {
			steps := append(append([]scenarioStep{}, fixtures.Fixtures[s.Fixture]...), s.Steps...)
			found = append(found, scenario{stem + "/" + s.Name, steps})
		}
	}
	return found, nil
}

func readJSON(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, into)
}

// plainJSON turns a result into the values encoding/json decodes (float64, string,
// bool, nil, []any, map[string]any), so it compares with the expected values.
func plainJSON(value any) (any, error) {
	data, err := json.Marshal(value)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(data, &out)
	return out, err
}

// matches: objects match when every expected key matches; arrays element by element.
func matches(expected, actual any) bool {
	switch want := expected.(type) {
	case map[string]any:
		got, ok := actual.(map[string]any)
		if !ok {
			return false
		}
		for key, value := range want {
			item, present := got[key]
			if !present || !matches(value, item) {
				return false
			}
		}
		return true
	case []any:
		got, ok := actual.([]any)
		if !ok || len(got) != len(want) {
			return false
		}
		for i := range want {
			if !matches(want[i], got[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(expected, actual)
	}
}

type scenarioRunner struct {
	ctx           context.Context
	server        *server
	variables     map[string]any
	clients       map[string]*Client
	subscriptions map[string]*Subscription
	proxies       []*exec.Cmd
}

func (r *scenarioRunner) resolve(value any) (any, error) {
	var missing error
	lookup := func(name string) any {
		found, ok := r.variables[name]
		if !ok {
			missing = fmt.Errorf("unknown variable $%s", name)
		}
		return found
	}
	switch v := value.(type) {
	case string:
		if whole := wholeVariable.FindStringSubmatch(v); whole != nil {
			found := lookup(whole[1])
			return found, missing
		}
		text := inlineVariable.ReplaceAllStringFunc(v, func(m string) string {
			found := lookup(m[2 : len(m)-1])
			if f, ok := found.(float64); ok {
				return strconv.FormatFloat(f, 'f', -1, 64)
			}
			return fmt.Sprint(found)
		})
		return text, missing
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			resolved, err := r.resolve(item)
			if err != nil {
				return nil, err
			}
			out[i] = resolved
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for key, item := range v {
			resolved, err := r.resolve(item)
			if err != nil {
				return nil, err
			}
			out[key] = resolved
		}
		return out, nil
	}
	return value, nil
}

func (r *scenarioRunner) close() {
	for _, subscription := range r.subscriptions {
		subscription.Close()
	}
	for _, client := range r.clients {
		client.Close()
	}
	for _, proxy := range r.proxies {
		_ = proxy.Process.Signal(syscall.SIGTERM)
		_ = proxy.Wait()
	}
}

func (r *scenarioRunner) run(steps []scenarioStep) error {
	for index, step := range steps {
		where := fmt.Sprintf("step %d (%s)", index+1, step.Op)
		resolvedArgs, err := r.resolve(map[string]any(step.Args))
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		resolvedExpect, err := r.resolve(map[string]any(step.Expect))
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		args, expect := resolvedArgs.(map[string]any), resolvedExpect.(map[string]any)
		result, err := r.call(step.Op, args)
		var failure *Error
		if errors.As(err, &failure) {
			if !containsName(expect["error"], failure.Name) {
				return fmt.Errorf("%s: %s: %s (expected %v)", where, failure.Name, failure.Message, expect["error"])
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if result, err = plainJSON(result); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if wanted, ok := expect["error"]; ok {
			return fmt.Errorf("%s: succeeded with %v, expected %v", where, result, wanted)
		}
		if wanted, ok := expect["result"]; ok && !matches(wanted, result) {
			return fmt.Errorf("%s: got %v, expected %v", where, result, wanted)
		}
		switch save := step.Save.(type) {
		case string:
			r.variables[save] = result
		case map[string]any:
			for name, field := range save {
				r.variables[name] = result.(map[string]any)[field.(string)]
			}
		}
	}
	return nil
}

func containsName(expected any, name string) bool {
	if list, ok := expected.([]any); ok {
		for _, item := range list {
			if item == name {
				return true
			}
		}
		return false
	}
	return expected == name
}

func number(value any) uint64 {
	number, _ := value.(float64)
	return uint64(number)
}

// sqlParams: integers are BIGINT.
func sqlParams(value any) []any {
	list, _ := value.([]any)
	out := make([]any, len(list))
	for i, item := range list {
		if f, ok := item.(float64); ok && f == float64(int64(f)) {
			out[i] = int64(f)
		} else {
			out[i] = item
		}
	}
	return out
}

func (r *scenarioRunner) call(op string, args map[string]any) (any, error) {
	name, _ := args["client"].(string)
	if name == "" {
		name = "main"
	}
	switch op {
	case "connect":
		address, _ := args["address"].(string)
		if address == "" {
			address = r.server.address
		}
		token, _ := args["token"].(string)
		client, err := Connect(r.ctx, Options{Address: address, TenantID: number(args["tenant"]),
			AuthToken: token, RequestTimeout: 20 * time.Second})
		if err == nil {
			r.clients[name] = client
		}
		return nil, err
	case "close":
		client := r.clients[name]
		delete(r.clients, name)
		return nil, client.Close()
	case "clock":
		time.Sleep(20 * time.Millisecond)
		now := time.Now().UTC().Format("2006-01-02 15:04:05.000")
		time.Sleep(20 * time.Millisecond)
		return now, nil
	case "start_proxy":
		return r.startProxy(args)
	case "next_events":
		subscription := r.subscriptions[args["subscription"].(string)]
		events := []map[string]any{}
		for len(events) < int(number(args["count"])) {
			event, ok, err := subscription.Next(r.ctx)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("the subscription ended after %d events", len(events))
			}
			events = append(events, map[string]any{"offset": event.Offset, "payload": string(event.Payload)})
		}
		return events, nil
	case "unsubscribe":
		key := args["subscription"].(string)
		err := r.subscriptions[key].Close()
		delete(r.subscriptions, key)
		return nil, err
	}
	client, ok := r.clients[name]
	if !ok {
		return nil, fmt.Errorf("no client %q", name)
	}
	return r.clientCall(client, op, args)
}

func (r *scenarioRunner) clientCall(client *Client, op string, args map[string]any) (any, error) {
	ctx, stream, text := r.ctx, StreamID(number(args["stream"])), func(key string) string {
		value, _ := args[key].(string)
		return value
	}
	switch op {
	case "create_tenant":
		return client.CreateTenant(ctx, number(args["tenant"]), text("name"))
	case "create_api_key":
		created, err := client.CreateAPIKey(ctx, number(args["tenant"]), text("label"))
		return map[string]any{"key_id": created.KeyID, "secret": created.Secret}, err
	case "create_stream":
		return client.CreateStream(ctx, text("name"), Public, "")
	case "stream_length":
		return client.StreamLength(ctx, stream)
	case "append":
		var events [][]byte
		for _, event := range args["events"].([]any) {
			events = append(events, []byte(event.(string)))
		}
		return client.Append(ctx, stream, events, Offset(number(args["expected_offset"])))
	case "read":
		read, err := client.Read(ctx, stream, Offset(number(args["from"])), 1<<20)
		if err != nil {
			return nil, err
		}
		events := []string{}
		for _, event := range read.Events {
			events = append(events, string(event.Payload))
		}
		return map[string]any{"events": events, "next_offset": read.NextOffset}, nil
	case "read_verified":
		read, err := client.ReadVerified(ctx, stream, Offset(number(args["from"])), 1<<20)
		if err != nil {
			return nil, err
		}
		events := []map[string]any{}
		for _, event := range read.Events {
			events = append(events, map[string]any{"offset": event.Offset, "payload": string(event.Payload)})
		}
		return map[string]any{"events": events, "next_offset": read.NextOffset,
			"checkpoint_size": read.Checkpoint.Size}, nil
	case "checkpoint":
		checkpoint, err := client.Checkpoint(ctx, stream)
		return map[string]any{"size": checkpoint.Size}, err
	case "subscribe":
		credits := uint32(64)
		if given, ok := args["credits"]; ok {
			credits = uint32(number(given))
		}
		subscription, err := client.Subscribe(ctx, stream, Offset(number(args["from"])),
			SubscribeOptions{Credits: credits})
		if err == nil {
			r.subscriptions[text("subscription")] = subscription
		}
		return nil, err
	case "execute":
		done, err := client.Execute(ctx, text("sql"), sqlParams(args["params"])...)
		return map[string]any{"rows_affected": done.RowsAffected, "log_offset": done.LogOffset}, err
	case "query", "query_at":
		var rows *Rows
		var err error
		if op == "query" {
			rows, err = client.Query(ctx, text("sql"), sqlParams(args["params"])...)
		} else {
			rows, err = client.QueryAt(ctx, text("sql"), Offset(number(args["position"])), sqlParams(args["params"])...)
		}
		if err != nil {
			return nil, err
		}
		values := rows.Values
		if values == nil {
			values = [][]any{}
		}
		return map[string]any{"columns": rows.Columns, "rows": values}, nil
	}
	return nil, fmt.Errorf("unknown operation %q", op)
}

func (r *scenarioRunner) startProxy(args map[string]any) (any, error) {
	binary := os.Getenv("KIMBERLITE_TAMPER_PROXY_BIN")
	if binary == "" {
		binary = filepath.Join("..", "target", "debug", "kimberlite-tamper-proxy")
	}
	argv := []string{"--upstream", r.server.address, "--mode", fmt.Sprint(args["mode"]), "--listen", "127.0.0.1:0"}
	if fork, ok := args["fork_upstream"].(string); ok {
		argv = append(argv, "--fork-upstream", fork)
	}
	proxy := exec.Command(binary, argv...)
	proxy.Stderr = os.Stderr
	stdout, err := proxy.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := proxy.Start(); err != nil {
		return nil, err
	}
	r.proxies = append(r.proxies, proxy)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(lines.Text()), "proxy listening on "); ok {
			go func() {
				for lines.Scan() {
				}
			}()
			return strings.TrimSpace(rest), nil
		}
	}
	return nil, fmt.Errorf("the proxy exited before listening")
}

// startFork serves a second server with the signing key, node name and admin token
// of the server of mainDir and an empty log: the fork of the forked-checkpoint mode.
func startFork(mainDir, dir string) (*server, error) {
	return startServerWith(dir, false, func(dir string) error {
		for _, name := range []string{"kimberlite.toml", "keys/signing.key", "keys/admin.token"} {
			data, err := os.ReadFile(filepath.Join(mainDir, name))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, name), data, 0o600)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func TestScenarios(t *testing.T) {
	scenarios, err := loadScenarios()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	admin, err := startServer(filepath.Join(dir, "data"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.stop()
	fork, err := startFork(filepath.Join(dir, "data"), filepath.Join(dir, "fork"))
	if err != nil {
		t.Fatal(err)
	}
	defer fork.stop()
	outcomes := map[string]scenarioOutcome{}
	for index, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			runner := &scenarioRunner{ctx: testContext(t), server: admin,
				variables: map[string]any{"server": admin.address, "admin_token": admin.adminToken,
					"tenant": float64(firstScenarioTenant + index), "fork_server": fork.address},
				clients: map[string]*Client{}, subscriptions: map[string]*Subscription{}}
			err := runner.run(s.steps)
			runner.close()
			outcome := scenarioOutcome{Pass: err == nil}
			if err != nil {
				outcome.Message = err.Error()
				t.Error(err)
			}
			outcomes[s.name] = outcome
		})
	}
	results := filepath.Join("..", "target", "scenario-results")
	if err := os.MkdirAll(results, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(outcomes, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(results, "go.json"), append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
