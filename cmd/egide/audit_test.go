package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
)

// serve refuses any login role that could rewrite the audit log unseen,
// and names what is wrong with it.
func TestServeRefusesALoginRoleThatCanAlterTheAuditLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	super, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(super.Close)
	exec := func(t *testing.T, sql string) {
		t.Helper()
		if _, err := super.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// role creates a role (cluster-wide: a unique name, dropped after the
	// test with what it owns in this database).
	role := func(t *testing.T, options string) string {
		t.Helper()
		name := "egide_test_" + strings.ReplaceAll(uuid.NewString()[:13], "-", "")
		exec(t, fmt.Sprintf(`CREATE ROLE %s %s`, name, options))
		t.Cleanup(func() {
			// What it owns goes back to the test's superuser, so that the
			// other cases still find the tables.
			for _, sql := range []string{`REASSIGN OWNED BY ` + name + ` TO current_user`, `DROP OWNED BY ` + name, `DROP ROLE ` + name} {
				if _, err := super.Exec(context.Background(), sql); err != nil {
					t.Errorf("%s: %v", sql, err)
				}
			}
		})
		return name
	}
	// login returns DATABASE_URL for a new login role with options.
	login := func(t *testing.T, options string) (string, string) {
		t.Helper()
		password := uuid.NewString()
		name := role(t, fmt.Sprintf(`LOGIN PASSWORD '%s' %s`, password, options))
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(name, password)
		return name, u.String()
	}
	cases := []struct {
		name string
		set  func(t *testing.T) string // returns DATABASE_URL
		want string                    // "" for accepted
	}{
		{"superuser", func(t *testing.T) string { return dbURL }, "a superuser"},
		{"member of egide_app only", func(t *testing.T) string { _, u := login(t, `IN ROLE egide_app`); return u }, ""},
		{"owner of audit_pending", func(t *testing.T) string {
			name, u := login(t, `IN ROLE egide_app`)
			exec(t, `ALTER TABLE audit_pending OWNER TO `+name)
			return u
		}, "the owner of audit_pending"},
		{"member of the owner of audit_seals", func(t *testing.T) string {
			owner := role(t, `NOLOGIN`)
			exec(t, `ALTER TABLE audit_seals OWNER TO `+owner)
			_, u := login(t, `IN ROLE egide_app, `+owner)
			return u
		}, ", the owner of audit_seals, which can disable the audit log's triggers"},
		{"TRIGGER on audit_events", func(t *testing.T) string {
			name, u := login(t, `IN ROLE egide_app`)
			exec(t, `GRANT TRIGGER ON audit_events TO `+name)
			return u
		}, "has the TRIGGER privilege on audit_events"},
		{"TRIGGER on audit_seals through a group", func(t *testing.T) string {
			group := role(t, `NOLOGIN`)
			exec(t, `GRANT TRIGGER ON audit_seals TO `+group)
			_, u := login(t, `IN ROLE egide_app, `+group)
			return u
		}, "has the TRIGGER privilege on audit_seals"},
		{"CREATEROLE", func(t *testing.T) string { _, u := login(t, `CREATEROLE IN ROLE egide_app`); return u }, "has CREATEROLE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkLoginRole(ctx, c.set(t))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "DATABASE_URL")):
				t.Fatalf("got %v, want a refusal naming DATABASE_URL and saying %q", err, c.want)
			}
		})
	}
}

// /readyz answers 503 while the checkpoint directory cannot be written,
// and 200 again once a checkpoint could be written.
func TestNotReadyWhileCheckpointsCannotBeWritten(t *testing.T) {
	t.Parallel()
	mount := filepath.Join(t.TempDir(), "mount")
	// A file where the directory's parent should be: no write can succeed,
	// even as root (permission bits would not stop root).
	if err := os.WriteFile(mount, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	in := startDev(t, 1, map[string]string{"EGIDE_AUDIT_CHECKPOINT_DIR": filepath.Join(mount, "checkpoints")})
	status := func() int {
		resp, err := http.Get("http://" + in.addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(); got != http.StatusServiceUnavailable {
		t.Fatalf("readyz with an unwritable checkpoint directory: %d, want 503", got)
	}
	// Something to seal and checkpoint: a refused sign-in is audited.
	in.client(t).fails("UNAUTHENTICATED", `mutation { login(input: {email: "nobody@example.org", password: "wrong password"}) { status } }`, nil)
	if err := os.Remove(mount); err != nil {
		t.Fatal(err)
	}
	// The sealer retries every EGIDE_AUDIT_SEAL_INTERVAL (1 s); wait for
	// it, not for a given time.
	deadline := time.Now().Add(time.Minute)
	for status() != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("readyz still 503 a minute after the checkpoint directory came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(mount, "checkpoints", "latest.json")); err != nil {
		t.Fatalf("no checkpoint written once ready: %v", err)
	}
}

// egide audit verify checks every checkpoint of the directory: a
// latest.json rolled back to an older signed checkpoint fails it (exit
// status, TAMPERING DETECTED and the reason), and so does a latest.json
// deleted while the log goes on.
func TestAuditVerifyCommandChecksEveryCheckpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	app, err := postgres.Open(ctx, dbURL, postgres.AsAppRole())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	keyFile, cpDir := filepath.Join(t.TempDir(), "key"), filepath.Join(t.TempDir(), "checkpoints")
	if err := audit.GenerateSigningKeyFile(keyFile); err != nil {
		t.Fatal(err)
	}
	key, err := audit.LoadSigningKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	s := audit.NewSealer(app, key, audit.DirStore{Dir: cpDir}, audit.SealerConfig{}, slog.New(slog.DiscardHandler))
	var first []byte
	for round := range 3 {
		if err := postgres.InTx(ctx, app, func(tx pgx.Tx) error {
			return audit.Record(ctx, tx, actor.Actor{UserID: uuid.New(), RequestID: fmt.Sprint("r", round)},
				audit.Event{Action: "dossier.read", ResourceType: "dossier", ResourceIDs: []uuid.UUID{uuid.New()}})
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Round(ctx); err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			if first, err = os.ReadFile(filepath.Join(cpDir, audit.LatestCheckpoint)); err != nil {
				t.Fatal(err)
			}
		}
	}
	verify := func() (string, error) {
		env := map[string]string{"DATABASE_URL": dbURL, "EGIDE_AUDIT_SIGNING_KEY_FILE": keyFile, "EGIDE_AUDIT_CHECKPOINT_DIR": cpDir}
		var out bytes.Buffer
		p := &Program{Getenv: func(k string) string { return env[k] }, Stdout: &out, Stderr: &out}
		err := p.Run(ctx, []string{"audit", "verify"})
		return out.String(), err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "4 checkpoint(s) checked, the newest at 3") ||
		!strings.Contains(out, "OK: the audit log is intact") {
		t.Fatalf("intact: %v\n%s", err, out)
	}
	latest := filepath.Join(cpDir, audit.LatestCheckpoint)
	if err := os.WriteFile(latest, first, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(); err == nil || !strings.Contains(out, "TAMPERING DETECTED") ||
		!strings.Contains(out, "latest.json is at position 1 but checkpoints-000000000000001.log line 3 is at 3: latest.json was rolled back") {
		t.Fatalf("rolled back: %v\n%s", err, out)
	}
	if err := os.Remove(latest); err != nil {
		t.Fatal(err)
	}
	if out, err := verify(); err == nil || !strings.Contains(out, "latest.json is missing while checkpoints-000000000000001.log line 3 covers position 3: it was deleted") {
		t.Fatalf("deleted: %v\n%s", err, out)
	}
}
