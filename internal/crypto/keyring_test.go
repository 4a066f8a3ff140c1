package crypto

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// keyB64 returns the base64 of a fresh random key.
func keyB64(t testing.TB) string {
	t.Helper()
	key, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(key)
}

// newRing returns a ring holding a fresh key for each version, and its spec.
func newRing(t testing.TB, versions ...uint32) (*KeyRing, string) {
	t.Helper()
	var lines []string
	for _, v := range versions {
		line, err := GenerateKeySpec(v)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	spec := strings.Join(lines, "\n")
	ring, err := ParseKeyRing(spec)
	if err != nil {
		t.Fatalf("ParseKeyRing: %v", err)
	}
	return ring, spec
}

// assertNoSecret fails if msg contains any 8-character run of a secret.
func assertNoSecret(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for i := 0; i+8 <= len(s); i++ {
			if strings.Contains(msg, s[i:i+8]) {
				t.Fatalf("message %q contains secret fragment %q", msg, s[i:i+8])
			}
		}
	}
}

func TestParseKeyRing(t *testing.T) {
	a, b, c := keyB64(t), keyB64(t), keyB64(t)
	tests := []struct {
		name     string
		spec     string
		versions []uint32
		dev      bool
	}{
		{name: "one entry", spec: "1:" + a, versions: []uint32{1}},
		{name: "lines", spec: "1:" + a + "\n2:" + b + "\n", versions: []uint32{1, 2}},
		{name: "comma separated", spec: "3:" + c + ",1:" + a + ", 2:" + b, versions: []uint32{1, 2, 3}},
		{name: "trailing comma", spec: "1:" + a + ",", versions: []uint32{1}},
		{
			name:     "comments blank lines CRLF and spaces",
			spec:     "# production ring\r\n\r\n  7 : " + a + "  \r\n# retired soon\r\n 12:" + b + "\r\n",
			versions: []uint32{7, 12},
		},
		{name: "dev marker", spec: DevMarker + "\n1:" + a, versions: []uint32{1}, dev: true},
		{name: "dev marker indented", spec: "  " + DevMarker + "  \n1:" + a, versions: []uint32{1}, dev: true},
		{name: "other comment is not dev", spec: "# egide-dev-keyring-not\n1:" + a, versions: []uint32{1}},
		{name: "max version", spec: "4294967295:" + a, versions: []uint32{4294967295}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, err := ParseKeyRing(tt.spec)
			if err != nil {
				t.Fatalf("ParseKeyRing: %v", err)
			}
			if got := ring.Versions(); !slices.Equal(got, tt.versions) {
				t.Errorf("Versions() = %v, want %v", got, tt.versions)
			}
			if got, want := ring.ActiveVersion(), tt.versions[len(tt.versions)-1]; got != want {
				t.Errorf("ActiveVersion() = %d, want %d", got, want)
			}
			if ring.IsDev() != tt.dev {
				t.Errorf("IsDev() = %t, want %t", ring.IsDev(), tt.dev)
			}
		})
	}
}

func TestParseKeyRingErrors(t *testing.T) {
	a, b := keyB64(t), keyB64(t)
	short := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	long := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdefX"))
	zero := base64.StdEncoding.EncodeToString(make([]byte, KeySize))
	rawURL := base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	tests := []struct {
		name string
		spec string
		want string // substring of the error
	}{
		{name: "empty", spec: "", want: "no keys"},
		{name: "only comments", spec: "# nothing\n\n", want: "no keys"},
		{name: "dev marker only", spec: DevMarker + "\n", want: "no keys"},
		{name: "missing version", spec: a, want: "entry 1 (line 1): want <version>:<base64 key>"},
		{name: "key in version slot", spec: a + ":" + b, want: "entry 1 (line 1): version must be"},
		{name: "version zero", spec: "0:" + a, want: "version must be"},
		{name: "negative version", spec: "-1:" + a, want: "version must be"},
		{name: "version overflow", spec: "4294967296:" + a, want: "version must be"},
		{name: "version not a number", spec: "v1:" + a, want: "version must be"},
		{name: "empty key", spec: "1:", want: "version 1: key must be 32 bytes, got 0"},
		{name: "bad base64", spec: "1:" + a[:20] + "*" + a[21:], want: "version 1: key is not valid standard base64"},
		{name: "url base64", spec: "1:" + rawURL, want: "not valid standard base64"},
		{name: "short key", spec: "1:" + short, want: "key must be 32 bytes, got 16"},
		{name: "long key", spec: "1:" + long, want: "key must be 32 bytes, got 33"},
		{name: "zero key", spec: "1:" + zero, want: "key is all zeros"},
		{name: "duplicate version", spec: "1:" + a + "\n\n1:" + b, want: "entry 2 (line 3): version 1 already defined by entry 1"},
		{name: "duplicate key", spec: "1:" + a + "," + "2:" + a, want: "entry 2 (line 1): same key as version 1"},
		{name: "error after valid entries", spec: "1:" + a + "\n2:" + b + ",3:" + short, want: "entry 3 (line 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, err := ParseKeyRing(tt.spec)
			if err == nil {
				t.Fatalf("ParseKeyRing = %v, want error", ring)
			}
			if !errors.Is(err, ErrInvalidKeyRing) {
				t.Errorf("error %v is not ErrInvalidKeyRing", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			assertNoSecret(t, err.Error(), a, b, short, long, rawURL)
		})
	}
}

func TestKeyRingFormattingHidesKeys(t *testing.T) {
	b64 := keyB64(t)
	key, _ := base64.StdEncoding.DecodeString(b64)
	ring, err := ParseKeyRing("3:" + b64)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, arg := range []any{ring, *ring} {
			out := fmt.Sprintf(format, arg)
			assertNoSecret(t, out, b64, hex.EncodeToString(key), string(key))
		}
	}
	if got, want := ring.String(), "KeyRing(versions=[3] active=3 dev=false)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestEmptyKeyRing(t *testing.T) {
	for _, ring := range []*KeyRing{nil, {}} {
		if ring.ActiveVersion() != 0 || len(ring.Versions()) != 0 || ring.IsDev() {
			t.Errorf("%v: want no versions and not dev", ring)
		}
		dk, _ := NewDataKey()
		if _, err := ring.Wrap(dk, []byte("victim:1")); !errors.Is(err, ErrInvalidKeyRing) {
			t.Errorf("Wrap on %v: err = %v, want ErrInvalidKeyRing", ring, err)
		}
		if _, _, err := ring.SealRecord([]byte("x"), []byte("victim:1")); !errors.Is(err, ErrInvalidKeyRing) {
			t.Errorf("SealRecord on %v: err = %v, want ErrInvalidKeyRing", ring, err)
		}
	}
}

func TestVersionsIsACopy(t *testing.T) {
	ring, _ := newRing(t, 1, 2)
	ring.Versions()[1] = 99
	if ring.ActiveVersion() != 2 {
		t.Fatalf("mutating Versions() changed the ring")
	}
}

func TestGenerateKeySpec(t *testing.T) {
	if _, err := GenerateKeySpec(0); err == nil {
		t.Error("GenerateKeySpec(0) succeeded, want error")
	}
	first, err := GenerateKeySpec(42)
	if err != nil {
		t.Fatal(err)
	}
	second, err := GenerateKeySpec(43)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first, "42:") || strings.ContainsAny(first, "\n ") {
		t.Errorf("GenerateKeySpec(42) = %q, want a single 42:<base64> entry", first)
	}
	ring, err := ParseKeyRing(first + "," + second)
	if err != nil {
		t.Fatalf("generated specs do not parse: %v", err)
	}
	if !slices.Equal(ring.Versions(), []uint32{42, 43}) {
		t.Errorf("Versions() = %v", ring.Versions())
	}
}

func TestNewDataKey(t *testing.T) {
	a, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != KeySize || len(b) != KeySize {
		t.Fatalf("lengths %d, %d; want %d", len(a), len(b), KeySize)
	}
	if string(a) == string(b) {
		t.Fatal("two data keys are equal")
	}
}

func TestLoadKeyRingFile(t *testing.T) {
	b64 := keyB64(t)
	tests := []struct {
		name    string
		content string
		mode    fs.FileMode
		wantErr error // nil for success
		wantMsg []string
	}{
		{name: "0600", content: "1:" + b64 + "\n", mode: 0o600},
		{name: "0400", content: "1:" + b64 + "\n", mode: 0o400},
		{name: "0700", content: "1:" + b64 + "\n", mode: 0o700},
		{name: "group readable", content: "1:" + b64, mode: 0o640, wantErr: ErrInsecureKeyRingFile, wantMsg: []string{"0640", "chmod 600"}},
		{name: "world readable", content: "1:" + b64, mode: 0o604, wantErr: ErrInsecureKeyRingFile, wantMsg: []string{"0604", "chmod 600"}},
		{name: "group writable", content: "1:" + b64, mode: 0o620, wantErr: ErrInsecureKeyRingFile},
		{name: "other executable", content: "1:" + b64, mode: 0o601, wantErr: ErrInsecureKeyRingFile},
		{name: "parse error", content: "1:" + b64 + "\n1:" + b64, mode: 0o600, wantErr: ErrInvalidKeyRing, wantMsg: []string{"entry 2 (line 2)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // independent of umask
				t.Fatal(err)
			}
			ring, err := LoadKeyRingFile(path)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("LoadKeyRingFile: %v", err)
				}
				if ring.ActiveVersion() != 1 {
					t.Errorf("ActiveVersion() = %d, want 1", ring.ActiveVersion())
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			for _, want := range append(tt.wantMsg, path) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			assertNoSecret(t, err.Error(), b64)
		})
	}
}

func TestLoadKeyRingFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadKeyRingFile(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
	}
	sub := filepath.Join(dir, "dir")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyRingFile(sub); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: err = %v, want not a regular file", err)
	}
}

func TestGenerateDevKeyRingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dev-keys")
	if err := GenerateDevKeyRingFile(path); err != nil {
		t.Fatalf("GenerateDevKeyRingFile: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("mode = %#o, want 0600", perm)
	}
	ring, err := LoadKeyRingFile(path)
	if err != nil {
		t.Fatalf("LoadKeyRingFile: %v", err)
	}
	if !ring.IsDev() || !slices.Equal(ring.Versions(), []uint32{1}) {
		t.Errorf("got %v, want a dev ring with version 1", ring)
	}

	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := GenerateDevKeyRingFile(path); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second call: err = %v, want fs.ErrExist", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("second call changed the existing file")
	}

	if err := GenerateDevKeyRingFile(filepath.Join(t.TempDir(), "no", "such", "dir")); err == nil {
		t.Error("missing parent directory: want error")
	}
}
