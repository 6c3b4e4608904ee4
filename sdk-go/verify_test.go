package kimberlite

// The shared vectors in tests/vectors, checked through the verification API (the
// C ABI over the Rust client and protocol crates).

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func loadVectors(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "tests", "vectors", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatal(err)
	}
}

func hash32(t *testing.T, text string) [32]byte {
	t.Helper()
	var out [32]byte
	bytes, err := hex.DecodeString(text)
	if err != nil || len(bytes) != 32 {
		t.Fatalf("bad hash %q", text)
	}
	copy(out[:], bytes)
	return out
}

func hashes(t *testing.T, texts []string) [][32]byte {
	out := make([][32]byte, len(texts))
	for i, text := range texts {
		out[i] = hash32(t, text)
	}
	return out
}

func TestRecordVectors(t *testing.T) {
	var vectors struct {
		Chain struct {
			TenantID   uint64 `json:"tenant_id"`
			StreamID   uint64 `json:"stream_id"`
			GenesisHex string `json:"genesis_hex"`
			HeadHex    string `json:"head_hex"`
			RootHex    string `json:"root_hex"`
			Records    []struct {
				Offset      uint64 `json:"offset"`
				TimestampNs uint64 `json:"timestamp_ns"`
				KindByte    uint8  `json:"kind_byte"`
				PrevHashHex string `json:"prev_hash_hex"`
				PayloadHex  string `json:"payload_hex"`
				HashHex     string `json:"hash_hex"`
			} `json:"records"`
		} `json:"chain"`
		Genesis []struct {
			TenantID uint64 `json:"tenant_id"`
			StreamID uint64 `json:"stream_id"`
			HashHex  string `json:"hash_hex"`
		} `json:"genesis"`
	}
	loadVectors(t, "records.json", &vectors)
	for _, genesis := range vectors.Genesis {
		got, err := GenesisHash(genesis.TenantID, StreamID(genesis.StreamID))
		if err != nil || got != hash32(t, genesis.HashHex) {
			t.Errorf("genesis of %d/%d: %x %v", genesis.TenantID, genesis.StreamID, got, err)
		}
	}
	chain := vectors.Chain
	previous := hash32(t, chain.GenesisHex)
	if got, _ := GenesisHash(chain.TenantID, StreamID(chain.StreamID)); got != previous {
		t.Fatalf("chain genesis %x", got)
	}
	var leaves [][32]byte
	for _, record := range chain.Records {
		payload, _ := hex.DecodeString(record.PayloadHex)
		if hash32(t, record.PrevHashHex) != previous {
			t.Fatalf("record %d does not link to the one before", record.Offset)
		}
		got, err := RecordHash(Record{Tenant: chain.TenantID, Stream: StreamID(chain.StreamID), Offset: Offset(record.Offset),
			TimestampNs: record.TimestampNs, Kind: record.KindByte, PrevHash: previous, Payload: payload})
		if err != nil || got != hash32(t, record.HashHex) {
			t.Fatalf("record %d: %x %v", record.Offset, got, err)
		}
		previous = got
		leaves = append(leaves, got)
	}
	if previous != hash32(t, chain.HeadHex) {
		t.Fatal("head hash")
	}
	if root, err := MerkleRoot(leaves); err != nil || root != hash32(t, chain.RootHex) {
		t.Fatalf("chain root %x %v", root, err)
	}
	if _, err := RecordHash(Record{Kind: 250}); !errors.Is(err, ErrUnsupportedVersion) {
		t.Fatalf("want UnsupportedVersion for an unknown kind, got %v", err)
	}
}

func TestMerkleVectors(t *testing.T) {
	var vectors struct {
		Leaves []string `json:"leaf_hashes_hex"`
		Roots  []struct {
			Size    int    `json:"size"`
			RootHex string `json:"root_hex"`
		} `json:"roots"`
		Inclusion []struct {
			Index   uint64   `json:"index"`
			Size    uint64   `json:"size"`
			LeafHex string   `json:"leaf_hex"`
			RootHex string   `json:"root_hex"`
			Proof   []string `json:"proof_hex"`
		} `json:"inclusion_proofs"`
		Consistency []struct {
			OldSize uint64   `json:"old_size"`
			NewSize uint64   `json:"new_size"`
			OldRoot string   `json:"old_root_hex"`
			NewRoot string   `json:"new_root_hex"`
			Proof   []string `json:"proof_hex"`
		} `json:"consistency_proofs"`
	}
	loadVectors(t, "merkle.json", &vectors)
	// The vectors' leaves are SHA-256(0x00 || i as u64 big-endian); the first ones
	// are listed, and the generated ones must agree with them.
	leaves := make([][32]byte, 4097)
	for i := range leaves {
		var input [9]byte
		binary.BigEndian.PutUint64(input[1:], uint64(i))
		leaves[i] = sha256.Sum256(input[:])
	}
	for i, listed := range hashes(t, vectors.Leaves) {
		if leaves[i] != listed {
			t.Fatalf("generated leaf %d differs from the listed one", i)
		}
	}
	for _, root := range vectors.Roots {
		if got, err := MerkleRoot(leaves[:root.Size]); err != nil || got != hash32(t, root.RootHex) {
			t.Errorf("root of %d leaves: %x %v", root.Size, got, err)
		}
	}
	for _, proof := range vectors.Inclusion {
		leaf, root, path := hash32(t, proof.LeafHex), hash32(t, proof.RootHex), hashes(t, proof.Proof)
		if err := VerifyInclusion(leaf, proof.Index, proof.Size, path, root); err != nil {
			t.Errorf("inclusion of %d in %d: %v", proof.Index, proof.Size, err)
		}
		root[31] ^= 1
		if err := VerifyInclusion(leaf, proof.Index, proof.Size, path, root); !IsVerificationFailure(err) {
			t.Errorf("inclusion of %d in %d against a wrong root: %v", proof.Index, proof.Size, err)
		}
	}
	for _, proof := range vectors.Consistency {
		older := Checkpoint{Size: proof.OldSize, Root: hash32(t, proof.OldRoot)}
		newer := Checkpoint{Size: proof.NewSize, Root: hash32(t, proof.NewRoot)}
		if err := VerifyConsistency(older, newer, hashes(t, proof.Proof)); err != nil {
			t.Errorf("consistency %d -> %d: %v", proof.OldSize, proof.NewSize, err)
		}
		if proof.OldSize > 0 && proof.OldSize < proof.NewSize {
			if err := VerifyConsistency(newer, older, nil); !errors.Is(err, ErrRollback) {
				t.Errorf("consistency %d -> %d: want Rollback, got %v", proof.NewSize, proof.OldSize, err)
			}
		}
	}
}

func TestNegativeFormatVectors(t *testing.T) {
	var vectors struct {
		Cases []struct {
			Name    string   `json:"name"`
			Kind    string   `json:"kind"`
			Index   uint64   `json:"index"`
			Size    uint64   `json:"size"`
			LeafHex string   `json:"leaf_hex"`
			RootHex string   `json:"root_hex"`
			Proof   []string `json:"proof_hex"`
			OldSize uint64   `json:"old_size"`
			NewSize uint64   `json:"new_size"`
			OldRoot string   `json:"old_root_hex"`
			NewRoot string   `json:"new_root_hex"`
			Note    string   `json:"note"`
			Key     string   `json:"verifier_key"`
			Origin  string   `json:"expected_origin"`
		} `json:"cases"`
	}
	loadVectors(t, "formats-negative.json", &vectors)
	checked := 0
	for _, c := range vectors.Cases {
		var err error
		switch c.Kind {
		case "inclusion":
			err = VerifyInclusion(hash32(t, c.LeafHex), c.Index, c.Size, hashes(t, c.Proof), hash32(t, c.RootHex))
		case "consistency":
			older := Checkpoint{Size: c.OldSize, Root: hash32(t, c.OldRoot)}
			newer := Checkpoint{Size: c.NewSize, Root: hash32(t, c.NewRoot)}
			err = VerifyConsistency(older, newer, hashes(t, c.Proof))
		case "checkpoint":
			_, err = OpenCheckpoint(c.Note, c.Key, c.Origin)
		case "verifier_key":
			_, err = OpenCheckpoint("x\n", c.Key, "x")
		default:
			continue
		}
		checked++
		if !IsVerificationFailure(err) {
			t.Errorf("%s: want a verification failure, got %v", c.Name, err)
		}
	}
	if checked == 0 {
		t.Fatal("no proof cases in formats-negative.json")
	}
}

func TestCheckpointVectors(t *testing.T) {
	var vectors struct {
		VerifierKey string `json:"verifier_key"`
		Checkpoints []struct {
			Note    string `json:"note"`
			Origin  string `json:"origin"`
			Size    uint64 `json:"size"`
			RootHex string `json:"root_hex"`
		} `json:"checkpoints"`
	}
	loadVectors(t, "checkpoints.json", &vectors)
	for _, c := range vectors.Checkpoints {
		got, err := OpenCheckpoint(c.Note, vectors.VerifierKey, c.Origin)
		if err != nil || got.Size != c.Size || got.Root != hash32(t, c.RootHex) {
			t.Errorf("%s size %d: %+v %v", c.Origin, c.Size, got, err)
		}
		if _, err := OpenCheckpoint(c.Note, vectors.VerifierKey, c.Origin+"x"); !errors.Is(err, ErrWrongOrigin) {
			t.Errorf("want WrongOrigin, got %v", err)
		}
		tampered := []byte(c.Note)
		tampered[len(c.Origin)+1] ^= 1
		if _, err := OpenCheckpoint(string(tampered), vectors.VerifierKey, c.Origin); !IsVerificationFailure(err) {
			t.Errorf("a tampered note opened: %v", err)
		}
	}
	if _, err := OpenCheckpoint("x", "not a key", "o"); !IsVerificationFailure(err) {
		t.Fatalf("a bad key: %v", err)
	}
}
