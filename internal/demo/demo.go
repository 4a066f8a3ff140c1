// Package demo seeds a database with realistic, entirely fictional demo
// data: two organisations, one user per role, and dossiers with victims,
// defendants, charges and their requalifications, proceedings, civil-party
// standings, hearings around "today" and the deadlines they set (dates
// computed by package deadline). It writes straight in SQL, with
// no service and no audit event: it is a development and benchmark tool,
// never run against a production database.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
	_ "time/tzdata" // hearings are placed in Europe/Paris even on a host without zoneinfo

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/postgres"
)

// DefaultDossiers is the number of dossiers seeded when Options.Dossiers is 0.
const DefaultDossiers = 36

// seedLock is the advisory lock that serialises concurrent seeds.
const seedLock int64 = 0x65676964655f646d // "egide_dm"

// Organisation names: the natural keys of the demo organisations.
const (
	OrgName   = "Association Enfance Protégée (démo)"
	CoOrgName = "Collectif Vigilance Mineurs (démo)"
)

// Options says what to seed.
type Options struct {
	Dossiers int       // how many dossiers for the demo organisation (default 36)
	Now      time.Time // reference "today"; hearings are placed around it (default time.Now())
	Seed     int64     // PRNG seed; same seed (and same Now) → same data
	// Keep lists accounts written by an earlier seed (ReadAccounts): a demo
	// user it names keeps that password and TOTP secret, so the accounts a
	// person added to an authenticator app go on working across restarts.
	Keep []Account
}

// Account is a demo user and the password it can log in with.
type Account struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	Role        string `json:"role"` // admin, legal_staff, partner_lawyer, advocacy, dpo or superadmin
	DisplayName string `json:"displayName"`
	// TOTPSecret is the base32 secret of the account's second factor, to
	// add to an authenticator app (or compute codes in tests).
	TOTPSecret string `json:"totpSecret"`
}

// demoUser is a user Seed creates.
type demoUser struct {
	email, name, role string
	co                bool // member of the co-civil party rather than the demo organisation
}

var demoUsers = []demoUser{
	{"admin@demo.egide.local", "Administratrice (démo)", "admin", false},
	{"juriste1@demo.egide.local", "Juriste principale (démo)", "legal_staff", false},
	{"juriste2@demo.egide.local", "Juriste adjoint (démo)", "legal_staff", false},
	{"avocate@demo.egide.local", "Avocate partenaire (démo)", "partner_lawyer", false},
	{"plaidoyer@demo.egide.local", "Chargée de plaidoyer (démo)", "advocacy", false},
	{"dpo@demo.egide.local", "Délégué à la protection des données (démo)", "dpo", false},
	{"superadmin@demo.egide.local", "Opérateur de l'instance (démo)", "superadmin", false},
	{"juriste.collectif@demo.egide.local", "Juriste du collectif (démo)", "legal_staff", true},
}

// Indexes in demoUsers of the users dossiers are assigned to.
const (
	uJurist1 = 1
	uJurist2 = 2
	uLawyer  = 3
	uCoJuris = 7
)

// Seed creates the demo data and returns the demo accounts. It is
// idempotent: organisations, users and dossiers are found by natural key
// (name, e-mail, reference number) and only what is missing is inserted,
// all in one transaction under an advisory lock, so two processes seeding
// at once do not race.
//
// A password cannot be recovered from its hash, so each call sets every
// demo user's password and TOTP secret: those of opt.Keep for the users it
// names, fresh random ones for the others. The accounts returned, and the
// file WriteAccounts makes of them, are always the ones that work (of two
// concurrent seeds, the one that commits last). This is acceptable only
// because demo data is for development.
func Seed(ctx context.Context, pool *pgxpool.Pool, kr *crypto.KeyRing, opt Options) ([]Account, error) {
	if kr == nil {
		return nil, errors.New("demo: a key ring is needed to seal identities")
	}
	if opt.Dossiers < 0 {
		return nil, fmt.Errorf("demo: negative number of dossiers (%d)", opt.Dossiers)
	}
	if opt.Dossiers == 0 {
		opt.Dossiers = DefaultDossiers
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}

	// Hash outside the transaction: ~100 ms each, no need to hold the lock.
	kept := map[string]Account{}
	for _, a := range opt.Keep {
		kept[a.Email] = a
	}
	accounts := make([]Account, len(demoUsers))
	hashes := make([]string, len(demoUsers))
	secrets := make([][]byte, len(demoUsers))
	keptSecret := make([]bool, len(demoUsers))
	for k, u := range demoUsers {
		pw, secret, ok, err := credentials(kept[u.email])
		if err != nil {
			return nil, err
		}
		keptSecret[k] = ok
		h, err := auth.HashPassword(pw)
		if err != nil {
			return nil, fmt.Errorf("demo: hash password: %w", err)
		}
		accounts[k] = Account{Email: u.email, Password: pw, Role: u.role, DisplayName: u.name,
			TOTPSecret: auth.EncodeSecret(secret)}
		hashes[k], secrets[k] = h, secret
	}

	now := opt.Now.In(paris)
	e := &env{seed: opt.Seed, now: opt.Now, paris: paris, newID: uuid.New,
		today: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)}
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, seedLock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if e.org, err = ensureOrg(ctx, tx, OrgName, `1998-03-12`, true,
			"Protéger les enfants contre toutes les formes d'exploitation sexuelle, en France et à l'étranger, "+
				"et assister les victimes mineures devant les juridictions pénales. Organisation fictive de démonstration.",
			[]string{"CPP 2-3", "CPP 2-22"}); err != nil {
			return err
		}
		if e.coOrg, err = ensureOrg(ctx, tx, CoOrgName, `2009-06-02`, false,
			"Veille et action contre l'exploitation sexuelle des mineurs en ligne. Organisation fictive de démonstration.",
			[]string{"CPP 2-3"}); err != nil {
			return err
		}
		users, err := ensureUsers(ctx, tx, e, kr, hashes, secrets, keptSecret)
		if err != nil {
			return err
		}
		e.staff = [2]uuid.UUID{users[uJurist1], users[uJurist2]}
		existing, err := existingDossiers(ctx, tx, e.org)
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, opt.Dossiers)
		var p plan
		for i := range ids {
			if id, ok := existing[i+1]; ok {
				ids[i] = id
				continue
			}
			ids[i] = e.dossier(&p, i)
		}
		if err := sealIdentities(kr, &p); err != nil {
			return err
		}
		if err := insert(ctx, tx, e, &p); err != nil {
			return err
		}
		return link(ctx, tx, e, ids, users)
	})
	if err != nil {
		return nil, fmt.Errorf("demo: seed: %w", err)
	}
	return accounts, nil
}

// newPassword: 20 base32 characters, 100 bits.
func newPassword() string { return rand.Text()[:20] }

// credentials returns the password and TOTP secret of a kept account
// (ok), or fresh ones when it has none or one that does not decode.
func credentials(kept Account) (password string, secret []byte, ok bool, err error) {
	if kept.Password != "" && kept.TOTPSecret != "" {
		if secret, err := auth.DecodeSecret(kept.TOTPSecret); err == nil {
			return kept.Password, secret, true, nil
		}
	}
	if secret, err = auth.NewTOTPSecret(); err != nil {
		return "", nil, false, fmt.Errorf("demo: %w", err)
	}
	return newPassword(), secret, false, nil
}

// ReadAccounts reads a file WriteAccounts wrote. A file that does not exist
// yet is no account to keep: no error.
func ReadAccounts(path string) ([]Account, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return []Account{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("demo: read accounts: %w", err)
	}
	var accounts []Account
	if err := json.Unmarshal(b, &accounts); err != nil {
		return nil, fmt.Errorf("demo: read accounts %s: %w", path, err)
	}
	return accounts, nil
}

func ensureOrg(ctx context.Context, tx pgx.Tx, name, declared string, publicUtility bool, object string,
	articles []string) (uuid.UUID, error) {
	var id uuid.UUID
	err := tx.QueryRow(ctx, `SELECT id FROM organisations WHERE lower(name) = lower($1)`, name).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return id, fmt.Errorf("find organisation: %w", err)
	}
	err = tx.QueryRow(ctx, `INSERT INTO organisations (name, declared_on, statutory_object, public_utility,
		justice_approved, standing_articles) VALUES ($1, $2::date, $3, $4, true, $5) RETURNING id`,
		name, declared, object, publicUtility, articles).Scan(&id)
	if err != nil {
		return id, fmt.Errorf("insert organisation: %w", err)
	}
	return id, nil
}

// ensureUsers creates or resets the demo users and their memberships; it
// returns their ids in the order of demoUsers.
func ensureUsers(ctx context.Context, tx pgx.Tx, e *env, kr *crypto.KeyRing, hashes []string, secrets [][]byte, keptSecret []bool) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, len(demoUsers))
	for k, u := range demoUsers {
		err := tx.QueryRow(ctx, `INSERT INTO users (email, display_name, password_hash, superadmin)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, superadmin = EXCLUDED.superadmin
			RETURNING id`, u.email, u.name, hashes[k], u.role == "superadmin").Scan(&ids[k])
		if err != nil {
			return nil, fmt.Errorf("upsert user %s: %w", u.email, err)
		}
		// Enrol the second factor as a user would (sealed like
		// auth does), so demo accounts sign in straight away. The last
		// accepted step is kept when the secret is: a code already used
		// stays used across restarts.
		sealed, key, err := kr.SealRecord(secrets[k], []byte("totp:"+ids[k].String()))
		if err != nil {
			return nil, fmt.Errorf("seal totp secret: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret_sealed = $2, totp_secret_key = $3,
			totp_last_step = CASE WHEN $4 THEN totp_last_step ELSE 0 END,
			must_change_password = false WHERE id = $1`, ids[k], sealed, key, keptSecret[k]); err != nil {
			return nil, fmt.Errorf("enrol totp: %w", err)
		}
		if u.role == "superadmin" {
			continue
		}
		org := e.org
		if u.co {
			org = e.coOrg
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, ids[k], org, u.role); err != nil {
			return nil, fmt.Errorf("insert membership: %w", err)
		}
	}
	return ids, nil
}

var refPattern = regexp.MustCompile(`^ECP-[0-9]{4}-([0-9]+)$`)

// existingDossiers maps the reference numbers of the demo organisation's
// dossiers to their ids.
func existingDossiers(ctx context.Context, tx pgx.Tx, org uuid.UUID) (map[int]uuid.UUID, error) {
	rows, err := tx.Query(ctx, `SELECT id, reference FROM dossiers WHERE organisation_id = $1 AND reference LIKE 'ECP-%'`, org)
	if err != nil {
		return nil, fmt.Errorf("list dossiers: %w", err)
	}
	out := make(map[int]uuid.UUID)
	var id uuid.UUID
	var ref string
	_, err = pgx.ForEachRow(rows, []any{&id, &ref}, func() error {
		if m := refPattern.FindStringSubmatch(ref); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil {
				out[n] = id
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list dossiers: %w", err)
	}
	return out, nil
}

// sealIdentities encrypts the identities of new people, each under a key of
// its own bound to "<kind>:<id>", exactly as the person service does.
func sealIdentities(kr *crypto.KeyRing, p *plan) error {
	for k := range p.victims {
		if err := sealOne(kr, &p.victims[k].personRow, "victim"); err != nil {
			return err
		}
	}
	for k := range p.defendants {
		if err := sealOne(kr, &p.defendants[k].personRow, "defendant"); err != nil {
			return err
		}
	}
	return nil
}

func sealOne(kr *crypto.KeyRing, p *personRow, kind string) error {
	if p.identity == nil {
		return nil
	}
	plain, err := json.Marshal(p.identity)
	if err != nil {
		return fmt.Errorf("encode identity: %w", err)
	}
	defer clear(plain)
	p.ciphertext, p.wrappedKey, err = kr.SealRecord(plain, []byte(kind+":"+p.id.String()))
	if err != nil {
		return fmt.Errorf("seal %s identity: %w", kind, err)
	}
	return nil
}

// link assigns users to dossiers and shares some with the co-civil party,
// for every dossier, new or not: ON CONFLICT keeps it idempotent.
func link(ctx context.Context, tx pgx.Tx, e *env, ids []uuid.UUID, users []uuid.UUID) error {
	var aDossier, aUser, sDossier []uuid.UUID
	assign := func(d uuid.UUID, u int) {
		aDossier, aUser = append(aDossier, d), append(aUser, users[u])
	}
	for i, id := range ids {
		if i%3 != 2 {
			assign(id, uJurist1)
		} else {
			assign(id, uJurist2)
		}
		if i%6 == 1 {
			assign(id, uLawyer)
		}
		if shared(i) {
			sDossier = append(sDossier, id)
			if i%18 == 4 {
				assign(id, uCoJuris)
			}
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO dossier_assignments (dossier_id, user_id)
		SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`, aDossier, aUser); err != nil {
		return fmt.Errorf("assign dossiers: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO dossier_shares (dossier_id, organisation_id)
		SELECT d, $2 FROM unnest($1::uuid[]) AS d ON CONFLICT DO NOTHING`, sDossier, e.coOrg); err != nil {
		return fmt.Errorf("share dossiers: %w", err)
	}
	return nil
}

// WriteAccounts writes accounts as a JSON array to path, readable by its
// owner only: it holds passwords.
func WriteAccounts(path string, accounts []Account) error {
	if accounts == nil {
		accounts = []Account{}
	}
	b, err := json.MarshalIndent(accounts, "", "  ")
	if err != nil {
		return fmt.Errorf("demo: encode accounts: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("demo: write accounts: %w", err)
	}
	// Write a temporary file then rename, so a reader never sees half a
	// file and an existing file with looser permissions is replaced.
	f, err := os.CreateTemp(dir, ".accounts-*.json")
	if err != nil {
		return fmt.Errorf("demo: write accounts: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("demo: write accounts: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("demo: write accounts: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("demo: write accounts: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("demo: write accounts: %w", err)
	}
	return nil
}
