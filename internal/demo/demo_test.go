package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/deadline"
	"github.com/egide/egide/internal/holiday"
	"github.com/egide/egide/internal/person"
	"github.com/egide/egide/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newKeyRing(t testing.TB) *crypto.KeyRing {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	kr, err := crypto.ParseKeyRing("1:" + base64.StdEncoding.EncodeToString(key))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// tables lists the tables of the schema.
func tables(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func counts(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range tables(t, pool) {
		out[tb] = count(t, pool, `SELECT count(*) FROM `+tb)
	}
	return out
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func strs(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	var out []string
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&out); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func TestSeed(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	kr := newKeyRing(t)
	now := testNow(t)

	start := time.Now()
	accounts, err := Seed(ctx, pool, kr, Options{Now: now, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d dossiers in %v", DefaultDossiers, time.Since(start))

	// Accounts: one per role, strong passwords, stored as users.
	var roles []string
	for _, a := range accounts {
		roles = append(roles, a.Role)
		if len(a.Password) < 12 {
			t.Errorf("%s: password of %d characters", a.Email, len(a.Password))
		}
		if !strings.HasSuffix(a.Email, "@demo.egide.local") || a.DisplayName == "" {
			t.Errorf("account %+v", a)
		}
	}
	for _, r := range []string{"admin", "legal_staff", "partner_lawyer", "advocacy", "dpo", "superadmin"} {
		if !slices.Contains(roles, r) {
			t.Errorf("no %s account", r)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM users WHERE superadmin`); n != 1 {
		t.Errorf("%d superadmins", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.superadmin`); n != 0 {
		t.Errorf("the superadmin has %d memberships", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM memberships`); n != len(accounts)-1 {
		t.Errorf("%d memberships for %d accounts", n, len(accounts))
	}
	// Separation of duties (docs/security.md): nobody is administrator and
	// legal staff or partner lawyer of one organisation.
	if n := count(t, pool, `SELECT count(*) FROM memberships a JOIN memberships s
		ON s.user_id = a.user_id AND s.organisation_id = a.organisation_id
		WHERE a.role = 'admin' AND s.role IN ('legal_staff', 'partner_lawyer')`); n != 0 {
		t.Errorf("%d demo accounts are both administrator and staff", n)
	}

	checkData(t, pool, now, DefaultDossiers)

	// A victim identity opens with the key ring, bound to its victim.
	var vid uuid.UUID
	var ct, wk []byte
	if err := pool.QueryRow(ctx, `SELECT id, identity_ciphertext, identity_wrapped_key FROM victims
		WHERE identity_ciphertext IS NOT NULL LIMIT 1`).Scan(&vid, &ct, &wk); err != nil {
		t.Fatal(err)
	}
	plain, err := kr.OpenRecord(ct, wk, []byte("victim:"+vid.String()))
	if err != nil {
		t.Fatalf("open identity: %v", err)
	}
	var id person.Identity
	if err := json.Unmarshal(plain, &id); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(id.LegalName, "Fictif") || id.BirthDate == nil {
		t.Errorf("identity %+v", id)
	}
	if _, err := kr.OpenRecord(ct, wk, []byte("defendant:"+vid.String())); err == nil {
		t.Error("identity opened with another person's associated data")
	}
	var did uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT id, identity_ciphertext, identity_wrapped_key FROM defendants
		WHERE identity_ciphertext IS NOT NULL LIMIT 1`).Scan(&did, &ct, &wk); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.OpenRecord(ct, wk, []byte("defendant:"+did.String())); err != nil {
		t.Fatalf("open defendant identity: %v", err)
	}

	// Seeding again adds nothing and resets the passwords.
	before := counts(t, pool)
	hashes := strs(t, pool, `SELECT array_agg(password_hash ORDER BY email) FROM users`)
	again, err := Seed(ctx, pool, kr, Options{Now: now.Add(48 * time.Hour), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	after := counts(t, pool)
	for tb, n := range before {
		if after[tb] != n {
			t.Errorf("%s: %d rows after the second seed, %d before", tb, after[tb], n)
		}
	}
	t.Logf("rows per table: %v", after)
	if len(again) != len(accounts) {
		t.Fatalf("%d accounts the second time, %d the first", len(again), len(accounts))
	}
	for k := range again {
		if again[k].Email != accounts[k].Email || again[k].Password == accounts[k].Password {
			t.Errorf("account %s: not reset", again[k].Email)
		}
	}
	for k, h := range strs(t, pool, `SELECT array_agg(password_hash ORDER BY email) FROM users`) {
		if h == hashes[k] {
			t.Errorf("password hash %d unchanged", k)
		}
	}
}

// checkData checks what the seed must show and what only the data, not
// the schema, can tell.
func checkData(t *testing.T, pool *pgxpool.Pool, now time.Time, dossiers int) {
	t.Helper()
	org := `(SELECT id FROM organisations WHERE name = '` + OrgName + `')`
	if n := count(t, pool, `SELECT count(*) FROM dossiers WHERE organisation_id = `+org); n != dossiers {
		t.Errorf("%d dossiers, want %d", n, dossiers)
	}
	if got := strs(t, pool, `SELECT array_agg(DISTINCT th ORDER BY th) FROM dossiers, unnest(themes) th`); len(got) != len(themes) {
		t.Errorf("themes %v", got)
	}
	if n := count(t, pool, `SELECT count(*) FROM dossiers WHERE cardinality(themes) > 1`); n == 0 {
		t.Error("no dossier with two themes")
	}
	// The stage of an open dossier is its ongoing proceeding's.
	if got := strs(t, pool, `SELECT array_agg(DISTINCT stage) FROM proceedings WHERE status = 'ongoing'`); len(got) != 5 {
		t.Errorf("current stages %v", got)
	}
	if n := count(t, pool, `SELECT count(*) FROM dossiers WHERE status = 'closed'`); n == 0 || n > dossiers/2 {
		t.Errorf("%d closed dossiers of %d", n, dossiers)
	}
	if n := count(t, pool, `SELECT count(*) FROM dossiers d WHERE (status = 'open') <>
		(SELECT count(*) = 1 FROM proceedings p WHERE p.dossier_id = d.id AND p.status = 'ongoing')`); n != 0 {
		t.Errorf("%d dossiers whose ongoing proceedings do not match their status", n)
	}
	if n := count(t, pool, `SELECT count(DISTINCT dossier_id) FROM charges WHERE replaces_charge_id IS NOT NULL`); n < dossiers/3 {
		t.Errorf("%d dossiers with a requalification, want at least %d", n, dossiers/3)
	}
	if n := count(t, pool, `SELECT count(*) FROM charges c JOIN charges p ON p.id = c.replaces_charge_id
		WHERE p.replaces_charge_id IS NOT NULL`); n == 0 {
		t.Error("no requalification chain of three")
	}
	if n := count(t, pool, `SELECT count(*) FROM hearings WHERE starts_at < $1 AND status <> 'scheduled'`, now); n == 0 {
		t.Error("no past hearing")
	}
	if n := count(t, pool, `SELECT count(*) FROM hearings WHERE status = 'scheduled' AND starts_at > $1
		AND starts_at < $1 + interval '8 weeks'`, now); n < 10 {
		t.Errorf("%d hearings in the next 8 weeks", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM hearings WHERE (status = 'scheduled') <> (starts_at > $1)`, now); n != 0 {
		t.Errorf("%d hearings scheduled in the past or held in the future", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM hearings WHERE extract(isodow FROM starts_at AT TIME ZONE 'Europe/Paris') > 5
		OR to_char(starts_at AT TIME ZONE 'Europe/Paris', 'HH24:MI') NOT IN ('09:00','13:30','14:00')`); n != 0 {
		t.Errorf("%d hearings outside court hours", n)
	}
	for _, day := range strs(t, pool, `SELECT coalesce(array_agg(DISTINCT to_char(starts_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')), '{}')
		FROM hearings`) {
		if d, _ := time.Parse(time.DateOnly, day); !holiday.IsWorkingDay(d) {
			t.Errorf("a hearing on %s, a public holiday (%s)", day, holiday.Name(d))
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM civil_party_standings s JOIN consents c ON c.id = s.consent_id
		JOIN victims v ON v.id = c.victim_id JOIN proceedings p ON p.id = s.proceeding_id WHERE v.dossier_id <> p.dossier_id`); n != 0 {
		t.Errorf("%d standings rely on another dossier's consent", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM civil_party_standings WHERE legal_basis = 'CPP 2-22'`); n == 0 {
		t.Error("no standing under CPP 2-22")
	}
	if n := count(t, pool, `SELECT count(*) FROM victims WHERE identity_ciphertext IS NOT NULL`); n == 0 {
		t.Error("no sealed identity")
	}
	if n := count(t, pool, `SELECT count(*) FROM dossier_shares`); n == 0 {
		t.Error("no shared dossier")
	}
	if n := count(t, pool, `SELECT count(*) FROM civil_party_standings WHERE organisation_id <> `+org); n == 0 {
		t.Error("no co-civil party standing")
	}
	// Every dossier has a jurist; the partner lawyer has about one in six.
	if n := count(t, pool, `SELECT count(*) FROM dossiers d WHERE NOT EXISTS (SELECT 1 FROM dossier_assignments a
		JOIN memberships m ON m.user_id = a.user_id AND m.role = 'legal_staff' WHERE a.dossier_id = d.id)`); n != 0 {
		t.Errorf("%d dossiers without a jurist", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM dossier_assignments a JOIN memberships m ON m.user_id = a.user_id
		WHERE m.role = 'partner_lawyer'`); n != (dossiers+4)/6 {
		t.Errorf("partner lawyer on %d dossiers", n)
	}
	checkDeadlines(t, pool, now)
}

// checkDeadlines: every demo deadline is what package deadline computes
// from its rule and trigger; some open ones fall in the next 30 days (the
// home page shows them), some are done, none is open on a closed dossier.
func checkDeadlines(t *testing.T, pool *pgxpool.Pool, now time.Time) {
	t.Helper()
	paris, _ := time.LoadLocation("Europe/Paris")
	p := now.In(paris)
	today := time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
	rows, err := pool.Query(context.Background(), `SELECT rule_id, code_version, article, trigger_on, due_on,
		raw_end_on, extended, steps, warnings, status FROM deadlines`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	rules := map[string]int{}
	n, soon := 0, 0
	for rows.Next() {
		var rule, code, article, status string
		var trigger, due, raw time.Time
		var extended bool
		var steps, warnings []string
		if err := rows.Scan(&rule, &code, &article, &trigger, &due, &raw, &extended, &steps, &warnings, &status); err != nil {
			t.Fatal(err)
		}
		n++
		rules[rule]++
		res, err := deadline.DueByID(rule, trigger, deadline.Options{})
		if err != nil {
			t.Errorf("%s on %s: %v", rule, trigger.Format(time.DateOnly), err)
			continue
		}
		if !res.Due.Equal(due) || !res.RawEnd.Equal(raw) || res.Extended != extended || string(res.Ref.Code) != code ||
			res.Ref.Article != article || !slices.Equal(res.Steps, steps) || !slices.Equal(nonNil(res.Warnings), warnings) {
			t.Errorf("%s on %s: stored due %s (raw %s), computed %s (raw %s)", rule, trigger.Format(time.DateOnly),
				due.Format(time.DateOnly), raw.Format(time.DateOnly), res.Due.Format(time.DateOnly), res.RawEnd.Format(time.DateOnly))
		}
		if r, _ := deadline.Lookup(rule); r.Kind != deadline.Manual && trigger.After(today) {
			t.Errorf("%s triggered on %s, after today", rule, trigger.Format(time.DateOnly))
		}
		if status == "open" && due.Before(today) {
			t.Errorf("%s due on %s is open and past", rule, due.Format(time.DateOnly))
		}
		if status == "open" && !due.After(today.AddDate(0, 0, 30)) {
			soon++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d deadlines, %d open in the next 30 days, rules %v", n, soon, rules)
	if soon < 3 {
		t.Errorf("%d open deadlines in the next 30 days, want at least 3", soon)
	}
	for _, r := range []string{"tc-appel", "pourvoi", "afi-intention", "manuel-audience"} {
		if rules[r] == 0 {
			t.Errorf("no %s deadline", r)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM deadlines WHERE status = 'done'`); n == 0 {
		t.Error("no deadline done")
	}
	if n := count(t, pool, `SELECT count(*) FROM deadlines x JOIN dossiers d ON d.id = x.dossier_id
		WHERE d.status = 'closed' AND x.status = 'open'`); n != 0 {
		t.Errorf("%d open deadlines on closed dossiers", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM deadlines x JOIN proceedings p ON p.id = x.proceeding_id
		WHERE p.dossier_id <> x.dossier_id`); n != 0 {
		t.Errorf("%d deadlines on another dossier's proceeding", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM deadlines x JOIN dossier_assignments a
		ON a.dossier_id = x.dossier_id AND a.user_id = x.created_by`); n != count(t, pool, `SELECT count(*) FROM deadlines`) {
		t.Error("a deadline entered by a jurist not assigned to its dossier")
	}
	if n := count(t, pool, `SELECT count(*) FROM deadlines WHERE created_at > $1 OR done_at > $1 OR cancelled_at > $1`, now); n != 0 {
		t.Errorf("%d deadlines written after now", n)
	}
}

func TestSeedConcurrentAndGrowing(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	kr := newKeyRing(t)
	now := testNow(t)

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for k := range errs {
		wg.Go(func() { _, errs[k] = Seed(ctx, pool, kr, Options{Now: now, Seed: 5}) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM dossiers`); n != DefaultDossiers {
		t.Fatalf("%d dossiers after two concurrent seeds", n)
	}
	// More dossiers later, another day: only the missing ones are added.
	if _, err := Seed(ctx, pool, kr, Options{Dossiers: 60, Now: now.AddDate(0, 1, 0), Seed: 5}); err != nil {
		t.Fatal(err)
	}
	for sql, want := range map[string]int{
		`SELECT count(*) FROM dossiers`:                         60,
		`SELECT count(DISTINCT lower(reference)) FROM dossiers`: 60,
		`SELECT count(*) FROM organisations`:                    2,
		`SELECT count(*) FROM users`:                            len(demoUsers),
		`SELECT count(*) FROM dossier_shares`:                   7, // i%9 == 4
		`SELECT count(*) FROM dossier_assignments a JOIN users u ON u.id = a.user_id
			WHERE u.email = 'avocate@demo.egide.local'`: 10, // i%6 == 1
	} {
		if n := count(t, pool, sql); n != want {
			t.Errorf("%s: %d, want %d", sql, n, want)
		}
	}
}

func TestSeedMany(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	t.Parallel()
	pool := pgtest.New(t)
	now := testNow(t)
	start := time.Now()
	if _, err := Seed(context.Background(), pool, newKeyRing(t), Options{Dossiers: 1200, Now: now, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded 1200 dossiers in %v", time.Since(start))
	checkData(t, pool, now, 1200)
}

func TestSeedOptions(t *testing.T) {
	if _, err := Seed(context.Background(), nil, nil, Options{}); err == nil {
		t.Error("seeded without a key ring")
	}
	if _, err := Seed(context.Background(), nil, newKeyRing(t), Options{Dossiers: -1}); err == nil {
		t.Error("seeded a negative number of dossiers")
	}
}

func TestWriteAccounts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "var", "dev-accounts.json")
	accounts := []Account{{Email: "a@demo.egide.local", Password: "ABCDEFGHIJKLMNOPQRST", Role: "admin", DisplayName: "A", TOTPSecret: "JBSWY3DPEHPK3PXP"}}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteAccounts(path, accounts); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw []map[string]string
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"email": "a@demo.egide.local", "password": "ABCDEFGHIJKLMNOPQRST", "role": "admin", "displayName": "A", "totpSecret": "JBSWY3DPEHPK3PXP"}
	if len(raw) != 1 || len(raw[0]) != len(want) {
		t.Fatalf("file %s", b)
	}
	for k, v := range want {
		if raw[0][k] != v {
			t.Errorf("%s = %q, want %q", k, raw[0][k], v)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary file left: %v", entries)
	}
}

// A restart of `egide dev` on the same data directory keeps the demo
// accounts' passwords and TOTP secrets: the file's accounts sign in after
// the second seed, and a code used before it is not accepted again.
func TestSeedKeepsAccounts(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	kr := newKeyRing(t)
	path := filepath.Join(t.TempDir(), "dev-accounts.json")

	none, err := ReadAccounts(path)
	if err != nil || len(none) != 0 {
		t.Fatalf("ReadAccounts of a missing file: %v, %v", none, err)
	}
	first, err := Seed(ctx, pool, kr, Options{Dossiers: 2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteAccounts(path, first); err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(pool, kr, auth.Config{IdleTimeout: time.Hour, MaxLifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	jurist := first[uJurist1]
	secret, err := auth.DecodeSecret(jurist.TOTPSecret)
	if err != nil {
		t.Fatal(err)
	}
	used := auth.TOTPCode(secret, time.Now())
	if _, err := svc.Login(ctx, jurist.Email, jurist.Password, &used, actor.Actor{IP: "127.0.0.1"}); err != nil {
		t.Fatalf("sign-in before the restart: %v", err)
	}

	keep, err := ReadAccounts(path)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Seed(ctx, pool, kr, Options{Dossiers: 2, Seed: 3, Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first, second) {
		t.Fatalf("accounts changed across the restart:\n%v\n%v", first, second)
	}
	if _, err := svc.Login(ctx, jurist.Email, jurist.Password, &used, actor.Actor{IP: "127.0.0.1"}); err == nil {
		t.Error("the code used before the restart was accepted again")
	}
	// A kept account without a secret (an older file) gets fresh ones.
	third, err := Seed(ctx, pool, kr, Options{Dossiers: 2, Seed: 3, Keep: []Account{{Email: jurist.Email, Password: jurist.Password}}})
	if err != nil {
		t.Fatal(err)
	}
	if third[uJurist1].TOTPSecret == jurist.TOTPSecret || third[uJurist1].Password == jurist.Password {
		t.Error("an incomplete kept account was reused")
	}
	if _, err := ReadAccounts(filepath.Join(t.TempDir())); err == nil {
		t.Error("ReadAccounts of a directory: no error")
	}
}

// BenchmarkSeed10k measures a seed of 10 000 dossiers in a fresh database.
func BenchmarkSeed10k(b *testing.B) {
	kr := newKeyRing(b)
	for b.Loop() {
		b.StopTimer()
		pool := pgtest.New(b)
		b.StartTimer()
		if _, err := Seed(context.Background(), pool, kr, Options{Dossiers: 10_000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
