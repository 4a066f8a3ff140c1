package graph_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/auditlog"
	"github.com/egide/egide/internal/auth"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/blob"
	"github.com/egide/egide/internal/calfeed"
	"github.com/egide/egide/internal/charge"
	"github.com/egide/egide/internal/crypto"
	"github.com/egide/egide/internal/deadlines"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/httpserver"
	"github.com/egide/egide/internal/organisation"
	"github.com/egide/egide/internal/person"
	"github.com/egide/egide/internal/postgres"
	"github.com/egide/egide/internal/postgres/pgtest"
	"github.com/egide/egide/internal/proceeding"
	"github.com/egide/egide/internal/user"
)

// The fixtures of the authorization matrix (authz_matrix_test.go): a
// database with no demo data, and precise organisations, users, sessions
// and dossiers inserted in SQL, so that every cell knows exactly how its
// actor relates to its target.

// Markers put in fixture data that no refused request may ever return.
// Identity legal names carry mxNameMarker: only revealIdentity may return it.
const (
	mxTitleMarker = "SECRETTITLE"
	mxNameMarker  = "SECRETNAME"
	// mxPassword passes the password policy; the login target has it.
	mxPassword = "Tangerine-Lighthouse-Orbit-4821"
)

// mxActorKind is how a request is authenticated.
type mxActorKind int

const (
	mxFull    mxActorKind = iota // a full session
	mxAnon                       // no session cookie
	mxLimited                    // a session limited to enrolling the second factor
)

// mxActor is a user with a session (or none) making the requests of cells.
type mxActor struct {
	name    string     // first part of the subtest name
	role    actor.Role // role under test; "" for anonymous
	kind    mxActorKind
	removed bool // the role (or the superadmin flag) was removed after a first request
	userID  uuid.UUID
	token   string
}

// mxDossier is one dossier with one record of every kind.
type mxDossier struct {
	ID, Org    uuid.UUID
	Marker     string // in the title; unique, also the list filter
	NameMarker string // in the victim's and the defendant's legal names
	Victim     uuid.UUID
	Consent    uuid.UUID
	Defendant  uuid.UUID
	Charge0    uuid.UUID // replaced by Charge
	Charge     uuid.UUID // current
	Proc0      uuid.UUID // closed, followed by Proc
	Proc       uuid.UUID // ongoing
	Standing   uuid.UUID // of the dossier's organisation, in Proc, relying on Consent (the caller's in shared_own)
	Hearing    uuid.UUID // scheduled, in Proc
	HearingAt  time.Time
	Deadline   uuid.UUID // open, computed (tc-appel), in Proc
	DeadlineOn time.Time // its due date, one day apart per dossier
	Evidence   uuid.UUID // stored through the vault by a legal staff member
	Ref        uuid.UUID // a content reference ...
	Report     uuid.UUID // ... with one report
}

// mxMissing is a "dossier" whose ids all name nothing.
func mxMissing() *mxDossier {
	return &mxDossier{ID: uuid.New(), Victim: uuid.New(), Consent: uuid.New(), Defendant: uuid.New(),
		Charge0: uuid.New(), Charge: uuid.New(), Proc0: uuid.New(), Proc: uuid.New(), Standing: uuid.New(),
		Hearing: uuid.New(), HearingAt: time.Now().Add(72 * time.Hour).Truncate(time.Second),
		Deadline: uuid.New(), DeadlineOn: time.Now().UTC().AddDate(0, 0, 3).Truncate(24 * time.Hour),
		Evidence: uuid.New(), Ref: uuid.New(), Report: uuid.New()}
}

// mxWorld is the database, the HTTP server and the fixtures shared by cells.
type mxWorld struct {
	pool   *pgxpool.Pool
	kr     *crypto.KeyRing
	az     *authz.Authorizer
	vault  *evidence.Service
	url    string
	client *http.Client
	seq    atomic.Int64
	base   time.Time // fixture hearings start after it, one minute apart

	orgA, orgB, orgC, orgS uuid.UUID // mine; other (shares dsShared with A); unrelated; share target
	// orgD shares with A the dossiers of the shared_assigned relation, to
	// which the actors are assigned: kept apart from B, which no partner
	// lawyer of A reaches.
	orgD       uuid.UUID
	orgName    map[uuid.UUID]string
	assignee   uuid.UUID // legal staff of A: assignDossier's target
	userOwn    mxUser    // member of A
	userShared mxUser    // member of A and B
	userOther  mxUser    // member of B
	loginEmail string    // an account of A with mxPassword and no second factor
	// staff: a legal staff member of A and of B, who stores the fixture evidence.
	staff map[uuid.UUID]uuid.UUID

	// The dossiers read cells address, by relation to the actor.
	dsAssigned, dsUnassigned, dsOther, dsShared, dsRevoked, dsRemoved *mxDossier
	// dsSharedAssigned: of D, shared with A, the assignable actors assigned
	// to it — as a person who is a member of D too would be, by D.
	dsSharedAssigned *mxDossier

	actors []*mxActor
}

// newMatrixWorld builds the real HTTP stack on a fresh database, without demo data.
func newMatrixWorld(t *testing.T) *mxWorld {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(pgtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "24") // cells run concurrently, and loaders open several connections per request
	u.RawQuery = q.Encode()
	pool, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	kr, err := crypto.ParseKeyRing("# egide-dev-keyring\n1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	az, err := authz.New(pool)
	if err != nil {
		t.Fatal(err)
	}
	authSvc, err := auth.New(pool, kr, auth.Config{IdleTimeout: time.Hour, MaxLifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	store, err := blob.NewFSStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	vault := evidence.NewService(az, pool, kr, store, evidence.Config{MaxSize: 1 << 20})
	hs, ds := hearing.NewService(az), deadlines.NewService(az)
	res := &graph.Resolver{AuthSvc: authSvc, OrganisationSvc: organisation.NewService(az), DossierSvc: dossier.NewService(az),
		PersonSvc: person.NewService(az, kr), ChargeSvc: charge.NewService(az), ProceedingSvc: proceeding.NewService(az),
		HearingSvc: hs, DeadlineSvc: ds, CalendarFeedSvc: calfeed.NewService(pool, az, hs, ds, "https://egide.test"), UserSvc: user.NewService(az, pool, authSvc.Policy()),
		AuditLogSvc: auditlog.NewService(az), EvidenceSvc: vault, ReferenceSvc: evidence.NewReferenceService(az)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(httpserver.New(httpserver.Options{Logger: log, Auth: authSvc, Resolver: res,
		AuditLog: res.AuditLogSvc, CalendarFeeds: res.CalendarFeedSvc, Evidence: vault,
		GraphQL: graph.NewHandler(res, graph.HandlerOptions{Logger: log}), InsecureCookies: true, SessionMaxAge: time.Hour,
		Ready: func(context.Context) error { return nil }}))
	t.Cleanup(srv.Close)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	w := &mxWorld{pool: pool, kr: kr, az: az, vault: vault, url: srv.URL, client: &http.Client{Transport: tr, Timeout: time.Minute},
		base: time.Now().Add(72 * time.Hour).Truncate(time.Minute), orgName: map[uuid.UUID]string{},
		staff: map[uuid.UUID]uuid.UUID{}}
	t.Cleanup(tr.CloseIdleConnections)
	if err := w.build(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

func mxRandom() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (w *mxWorld) exec(ctx context.Context, sql string, args ...any) error {
	if _, err := w.pool.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("%.60s: %w", strings.TrimSpace(sql), err)
	}
	return nil
}

func (w *mxWorld) newOrg(ctx context.Context, label string) (uuid.UUID, error) {
	var id uuid.UUID
	name := "MX " + label + " " + mxRandom()
	err := w.pool.QueryRow(ctx, `INSERT INTO organisations (name, standing_articles) VALUES ($1, '{CPP 2-3,CPP 2-22}') RETURNING id`,
		name).Scan(&id)
	if err != nil {
		return uuid.Nil, fmt.Errorf("insert organisation: %w", err)
	}
	return id, nil
}

// newUser inserts a user holding role in each of orgs (no role when role
// is empty; the superadmin flag for actor.Superadmin).
func (w *mxWorld) newUser(ctx context.Context, role actor.Role, orgs ...uuid.UUID) (uuid.UUID, string, error) {
	email := "mx-" + mxRandom() + "@example.org"
	var id uuid.UUID
	err := w.pool.QueryRow(ctx, `INSERT INTO users (email, display_name, password_hash, superadmin) VALUES ($1, 'MX user', 'x', $2)
		RETURNING id`, email, role == actor.Superadmin).Scan(&id)
	if err != nil {
		return uuid.Nil, "", fmt.Errorf("insert user: %w", err)
	}
	if role != "" && role != actor.Superadmin {
		for _, org := range orgs {
			if err := w.exec(ctx, `INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, $3)`, id, org, role); err != nil {
				return uuid.Nil, "", err
			}
		}
	}
	return id, email, nil
}

// newSession opens a session the way sign-in does, without the sign-in:
// the token's hash is stored, the token is the cookie.
func (w *mxWorld) newSession(ctx context.Context, userID uuid.UUID, org *uuid.UUID, stage string) (string, error) {
	token, hash, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	return token, w.exec(ctx, `INSERT INTO sessions (token_hash, user_id, organisation_id, expires_at, stage)
		VALUES ($1, $2, $3, now() + interval '1 hour', $4)`, hash, userID, org, stage)
}

func (w *mxWorld) assign(ctx context.Context, dossierID, userID uuid.UUID) error {
	return w.exec(ctx, `INSERT INTO dossier_assignments (dossier_id, user_id) VALUES ($1, $2)`, dossierID, userID)
}

func (w *mxWorld) share(ctx context.Context, dossierID, orgID uuid.UUID) error {
	return w.exec(ctx, `INSERT INTO dossier_shares (dossier_id, organisation_id) VALUES ($1, $2)`, dossierID, orgID)
}

// seal seals an identity as the person service does (JSON, the record
// named as associated data).
func (w *mxWorld) seal(kind string, id uuid.UUID, legalName string) (ct, wk []byte, err error) {
	plain, err := json.Marshal(person.Identity{LegalName: legalName})
	if err != nil {
		return nil, nil, err
	}
	return w.kr.SealRecord(plain, []byte(kind+":"+id.String()))
}

// newDossier inserts an open dossier of org with a victim (with identity
// and a consent), a defendant (with identity), a charge and its
// requalification, a closed proceeding followed by an ongoing one, the
// organisation's civil-party standing in it, a scheduled hearing and a
// content reference with one report: one round trip; then a document
// stored through the vault, as the evidence service stores it.
func (w *mxWorld) newDossier(ctx context.Context, org uuid.UUID) (*mxDossier, error) {
	n := w.seq.Add(1)
	r := mxRandom()
	d := &mxDossier{ID: uuid.New(), Org: org, Marker: fmt.Sprintf("%s-%d-%s", mxTitleMarker, n, r),
		NameMarker: fmt.Sprintf("%s-%d-%s", mxNameMarker, n, r),
		Victim:     uuid.New(), Consent: uuid.New(), Defendant: uuid.New(), Charge0: uuid.New(), Charge: uuid.New(),
		Proc0: uuid.New(), Proc: uuid.New(), Standing: uuid.New(), Hearing: uuid.New(),
		HearingAt: w.base.Add(time.Duration(n) * time.Minute), Ref: uuid.New(), Report: uuid.New(),
		Deadline: uuid.New(), DeadlineOn: time.Date(w.base.Year(), w.base.Month(), w.base.Day()+int(n), 0, 0, 0, 0, time.UTC)}
	vct, vwk, err := w.seal("victim", d.Victim, d.NameMarker+" Victim")
	if err != nil {
		return nil, err
	}
	dct, dwk, err := w.seal("defendant", d.Defendant, d.NameMarker+" Defendant")
	if err != nil {
		return nil, err
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO dossiers (id, organisation_id, reference, title, themes, opened_on)
		VALUES ($1, $2, $3, $4, '{grooming}', '2025-01-15')`, d.ID, org, fmt.Sprintf("MX-%d-%s", n, r), "Dossier "+d.Marker)
	b.Queue(`INSERT INTO victims (id, dossier_id, pseudonym, age_at_facts, country, identity_ciphertext, identity_wrapped_key,
		identity_updated_at) VALUES ($1, $2, 'Lina', 12, 'PH', $3, $4, now())`, d.Victim, d.ID, vct, vwk)
	b.Queue(`INSERT INTO consents (id, victim_id, given_by, given_on) VALUES ($1, $2, 'legal_representative', '2025-02-01')`,
		d.Consent, d.Victim)
	b.Queue(`INSERT INTO defendants (id, dossier_id, pseudonym, role, country, identity_ciphertext, identity_wrapped_key,
		identity_updated_at) VALUES ($1, $2, 'Client A', 'client', 'FR', $3, $4, now())`, d.Defendant, d.ID, dct, dwk)
	b.Queue(`INSERT INTO charges (id, dossier_id, defendant_id, article, participation, retained_by, retained_on)
		VALUES ($1, $2, $3, '227-23', 'author', 'prosecutor', '2025-03-01')`, d.Charge0, d.ID, d.Defendant)
	b.Queue(`INSERT INTO charges (id, dossier_id, defendant_id, article, participation, retained_by, retained_on,
		replaces_charge_id, requalification_reason)
		VALUES ($1, $2, $3, '225-12-1', 'author', 'investigating_judge', '2025-04-01', $4, 'requalified')`,
		d.Charge, d.ID, d.Defendant, d.Charge0)
	b.Queue(`INSERT INTO proceedings (id, dossier_id, stage, court_kind, started_on, ended_on, status, outcome)
		VALUES ($1, $2, 'preliminary_inquiry', 'parquet', '2025-01-20', '2025-02-09', 'closed', 'information opened')`,
		d.Proc0, d.ID)
	b.Queue(`INSERT INTO proceedings (id, dossier_id, stage, court_kind, started_on, previous_id)
		VALUES ($1, $2, 'judicial_investigation', 'juge_instruction', '2025-02-10', $3)`, d.Proc, d.ID, d.Proc0)
	b.Queue(`INSERT INTO civil_party_standings (id, proceeding_id, organisation_id, constituted_on, mode, legal_basis, consent_id)
		VALUES ($1, $2, $3, '2025-03-01', 'intervention', 'CPP 2-22', $4)`, d.Standing, d.Proc, org, d.Consent)
	b.Queue(`INSERT INTO hearings (id, dossier_id, proceeding_id, kind, starts_at, court_room)
		VALUES ($1, $2, $3, 'party_hearing', $4, 'cabinet 12')`, d.Hearing, d.ID, d.Proc, d.HearingAt)
	b.Queue(`INSERT INTO deadlines (id, dossier_id, proceeding_id, rule_id, code_version, article, trigger_on, due_on,
		raw_end_on, steps, created_by)
		VALUES ($1, $2, $3, 'tc-appel', 'CPP', '498 al. 1', $4::date - 10, $4, $4, '{"computed by the fixture"}', $5)`,
		d.Deadline, d.ID, d.Proc, d.DeadlineOn, w.staff[org])
	b.Queue(`INSERT INTO content_references (id, dossier_id, url, platform, sha256, description, observed_on)
		VALUES ($1, $2, 'https://forum.example.net/t/1234', 'forum', $3, 'two images, described in the complaint', '2025-01-10')`,
		d.Ref, d.ID, strings.Repeat("ab", 32))
	b.Queue(`INSERT INTO content_reports (id, content_reference_id, channel, reference, reported_on)
		VALUES ($1, $2, 'pharos', 'PH-2025-0001', '2025-01-11')`, d.Report, d.Ref)
	if err := w.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("insert dossier: %w", err)
	}
	if d.Evidence, err = w.storeEvidence(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// staffActor is the legal staff member of org, acting outside any request.
func (w *mxWorld) staffActor(org uuid.UUID) actor.Actor {
	return actor.Actor{UserID: w.staff[org], OrgID: org, Roles: []actor.Role{actor.LegalStaff}}
}

// mxEvidenceContent is the file of every fixture document of dossier id.
func mxEvidenceContent(id uuid.UUID) string {
	return "%PDF-1.4\n% MX fixture complaint of dossier " + id.String() + "\n"
}

// storeEvidence creates a document of d and uploads its file through the
// vault, as its organisation's legal staff.
func (w *mxWorld) storeEvidence(ctx context.Context, d *mxDossier) (uuid.UUID, error) {
	a := w.staffActor(d.Org)
	e, err := w.vault.Create(ctx, a, evidence.CreateInput{DossierID: d.ID, Kind: evidence.KindComplaint,
		Title: "Complaint", IdempotencyKey: "mx-fixture"})
	if err != nil {
		return uuid.Nil, fmt.Errorf("create evidence: %w", err)
	}
	body := mxEvidenceContent(d.ID)
	if _, err := w.vault.Upload(ctx, a, e.ID, strings.NewReader(body), int64(len(body)), "complaint.pdf"); err != nil {
		return uuid.Nil, fmt.Errorf("upload evidence: %w", err)
	}
	return e.ID, nil
}

// pendingEvidence inserts a record of d whose file is not uploaded yet.
func (w *mxWorld) pendingEvidence(ctx context.Context, d *mxDossier) (uuid.UUID, error) {
	var id uuid.UUID
	err := w.pool.QueryRow(ctx, `INSERT INTO evidence (dossier_id, kind, title, idempotency_key)
		VALUES ($1, 'pleading', 'Pleading', $2) RETURNING id`, d.ID, "mx-"+mxRandom()).Scan(&id)
	if err != nil {
		return uuid.Nil, fmt.Errorf("insert pending evidence: %w", err)
	}
	return id, nil
}

// assignable reports whether the role is one that dossiers are assigned to.
func assignable(r actor.Role) bool { return r == actor.LegalStaff || r == actor.PartnerLawyer }

// dossierFor returns a new dossier related to a as rel says: a cell that
// changes state gets one of its own.
func (w *mxWorld) dossierFor(ctx context.Context, a *mxActor, rel string) (*mxDossier, error) {
	org := w.orgA
	switch rel {
	case "other_org", "shared", "shared_own":
		org = w.orgB
	case "shared_assigned":
		org = w.orgD
	}
	d, err := w.newDossier(ctx, org)
	if err != nil {
		return nil, err
	}
	switch rel {
	case "shared":
		err = w.share(ctx, d.ID, w.orgA)
	case "shared_assigned": // shared with A, and the caller assigned to it (as a member of B too would be)
		if err = w.share(ctx, d.ID, w.orgA); err == nil {
			err = w.assign(ctx, d.ID, a.userID)
		}
	case "shared_own": // shared with A, which is civil party in its proceeding too: d.Standing is A's
		if err = w.share(ctx, d.ID, w.orgA); err == nil {
			d.Standing = uuid.New()
			err = w.exec(ctx, `INSERT INTO civil_party_standings (id, proceeding_id, organisation_id, constituted_on, mode,
				legal_basis) VALUES ($1, $2, $3, '2025-03-02', 'intervention', 'CPP 2-3')`, d.Standing, d.Proc, w.orgA)
		}
	case "assigned":
		err = w.assign(ctx, d.ID, a.userID)
	case "revoked": // assigned, then no more
		if err = w.assign(ctx, d.ID, a.userID); err == nil {
			err = w.exec(ctx, `DELETE FROM dossier_assignments WHERE dossier_id = $1 AND user_id = $2`, d.ID, a.userID)
		}
	case "role_removed": // the assignment outlives the role
		if assignable(a.role) {
			err = w.assign(ctx, d.ID, a.userID)
		}
	}
	return d, err
}

// worldDossier is the shared (read-only) dossier of a relation.
func (w *mxWorld) worldDossier(rel string) *mxDossier {
	switch rel {
	case "assigned":
		return w.dsAssigned
	case "unassigned":
		return w.dsUnassigned
	case "other_org":
		return w.dsOther
	case "shared":
		return w.dsShared
	case "shared_assigned":
		return w.dsSharedAssigned
	case "revoked":
		return w.dsRevoked
	case "role_removed":
		return w.dsRemoved
	}
	return mxMissing()
}

// targetUser returns a new user related to the actor's organisation as rel
// says, for the cells that change a user.
func (w *mxWorld) targetUser(ctx context.Context, rel string) (uuid.UUID, error) {
	orgs := []uuid.UUID{w.orgA}
	switch rel {
	case "shared":
		orgs = []uuid.UUID{w.orgA, w.orgB}
	case "other_org":
		orgs = []uuid.UUID{w.orgB}
	}
	id, _, err := w.newUser(ctx, actor.LegalStaff, orgs...)
	return id, err
}

// mxUser is a user that cells read.
type mxUser struct {
	id    uuid.UUID
	email string
}

// worldUser is the shared user of a relation, for the cells that read users.
func (w *mxWorld) worldUser(rel string) mxUser {
	switch rel {
	case "shared":
		return w.userShared
	case "other_org":
		return w.userOther
	}
	return w.userOwn
}

// worldOrg is the organisation of a relation: the actor's own, the one
// sharing a dossier with it, or an unrelated one.
func (w *mxWorld) worldOrg(rel string) uuid.UUID {
	switch rel {
	case "shared":
		return w.orgB
	case "other_org":
		return w.orgC
	}
	return w.orgA
}

func (w *mxWorld) build(ctx context.Context) error {
	var err error
	for _, o := range []struct {
		id    *uuid.UUID
		label string
	}{{&w.orgA, "A"}, {&w.orgB, "B"}, {&w.orgC, "C"}, {&w.orgS, "S"}, {&w.orgD, "D"}} {
		if *o.id, err = w.newOrg(ctx, o.label); err != nil {
			return err
		}
	}
	rows, err := w.pool.Query(ctx, `SELECT id, name FROM organisations`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id uuid.UUID
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		w.orgName[id] = name
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if _, _, err := w.newUser(ctx, actor.Admin, w.orgB); err != nil { // B has its administrator
		return err
	}
	if w.assignee, _, err = w.newUser(ctx, actor.LegalStaff, w.orgA); err != nil {
		return err
	}
	for _, u := range []struct {
		u    *mxUser
		orgs []uuid.UUID
	}{{&w.userOwn, []uuid.UUID{w.orgA}}, {&w.userShared, []uuid.UUID{w.orgA, w.orgB}}, {&w.userOther, []uuid.UUID{w.orgB}}} {
		if u.u.id, u.u.email, err = w.newUser(ctx, actor.LegalStaff, u.orgs...); err != nil {
			return err
		}
	}
	w.staff[w.orgA], w.staff[w.orgB] = w.userOwn.id, w.userOther.id
	if w.staff[w.orgD], _, err = w.newUser(ctx, actor.LegalStaff, w.orgD); err != nil {
		return err
	}
	hash, err := auth.HashPassword(mxPassword)
	if err != nil {
		return err
	}
	var loginUser uuid.UUID
	if loginUser, w.loginEmail, err = w.newUser(ctx, actor.Advocacy, w.orgA); err != nil {
		return err
	}
	if err := w.exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, loginUser, hash); err != nil {
		return err
	}
	for _, d := range []struct {
		d   **mxDossier
		org uuid.UUID
	}{{&w.dsAssigned, w.orgA}, {&w.dsUnassigned, w.orgA}, {&w.dsOther, w.orgB}, {&w.dsShared, w.orgB},
		{&w.dsRevoked, w.orgA}, {&w.dsRemoved, w.orgA}, {&w.dsSharedAssigned, w.orgD}} {
		if *d.d, err = w.newDossier(ctx, d.org); err != nil {
			return err
		}
	}
	for _, d := range []*mxDossier{w.dsShared, w.dsSharedAssigned} {
		if err := w.share(ctx, d.ID, w.orgA); err != nil {
			return err
		}
	}
	return w.buildActors(ctx, hash)
}

// buildActors creates, for every role, the user under test and a second
// user whose role is removed after a first request; the anonymous caller;
// and a legal staff member whose session is limited to enrolling TOTP.
func (w *mxWorld) buildActors(ctx context.Context, passwordHash string) error {
	for _, role := range append([]actor.Role{actor.Superadmin}, actor.OrgRoles...) {
		for _, removed := range []bool{false, true} {
			id, _, err := w.newUser(ctx, role, w.orgA)
			if err != nil {
				return err
			}
			var org *uuid.UUID
			if role != actor.Superadmin {
				org = &w.orgA
			}
			token, err := w.newSession(ctx, id, org, auth.StageFull)
			if err != nil {
				return err
			}
			a := &mxActor{name: string(role), role: role, kind: mxFull, removed: removed, userID: id, token: token}
			if assignable(role) {
				ds := []*mxDossier{w.dsAssigned, w.dsRevoked, w.dsSharedAssigned}
				if removed {
					ds = []*mxDossier{w.dsRemoved}
				}
				for _, d := range ds {
					if err := w.assign(ctx, d.ID, id); err != nil {
						return err
					}
				}
			}
			w.actors = append(w.actors, a)
		}
	}
	w.actors = append(w.actors, &mxActor{name: "anonymous", kind: mxAnon})
	// The limited session comes from a real sign-in, so that it carries the
	// secret being enrolled.
	id, email, err := w.newUser(ctx, actor.LegalStaff, w.orgA)
	if err != nil {
		return err
	}
	if err := w.exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, id, passwordHash); err != nil {
		return err
	}
	if err := w.assign(ctx, w.dsAssigned.ID, id); err != nil {
		return err
	}
	token, err := w.login(ctx, email, mxPassword)
	if err != nil {
		return err
	}
	w.actors = append(w.actors, &mxActor{name: "limited_session", role: actor.LegalStaff, kind: mxLimited, userID: id, token: token})
	return nil
}

// login signs in through the API and returns the session cookie.
func (w *mxWorld) login(ctx context.Context, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]any{"query": `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { status } }`,
		"variables": map[string]any{"e": email, "p": password}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, w.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(httpserver.CSRFHeader, "1")
	resp, err := w.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(raw), "TOTP_ENROLLMENT_REQUIRED") {
		return "", fmt.Errorf("sign-in: %s", raw)
	}
	for _, c := range resp.Cookies() {
		if c.Name == httpserver.SessionCookie && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("sign-in set no session cookie")
}

// mxResponse is one GraphQL response.
type mxResponse struct {
	status int
	body   []byte
	reqID  string // X-Request-Id: the request_id of the audit events it wrote
	cookie string // the session cookie it set, if any
	errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	}
}

// do posts one GraphQL request with a's session cookie (none for anonymous).
func (w *mxWorld) do(ctx context.Context, a *mxActor, token, query string, vars map[string]any) (mxResponse, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return mxResponse{}, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, w.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(httpserver.CSRFHeader, "1")
	if a.kind != mxAnon {
		req.AddCookie(&http.Cookie{Name: httpserver.SessionCookie, Value: token})
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return mxResponse{}, err
	}
	defer resp.Body.Close()
	r := mxResponse{status: resp.StatusCode, reqID: resp.Header.Get("X-Request-Id")}
	for _, c := range resp.Cookies() {
		if c.Name == httpserver.SessionCookie && c.Value != "" {
			r.cookie = c.Value
		}
	}
	if r.body, err = io.ReadAll(resp.Body); err != nil {
		return r, err
	}
	var out struct {
		Errors json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		return r, fmt.Errorf("response %d is not JSON: %s", resp.StatusCode, r.body)
	}
	if len(out.Errors) > 0 {
		if err := json.Unmarshal(out.Errors, &r.errors); err != nil {
			return r, fmt.Errorf("errors: %w", err)
		}
	}
	return r, nil
}

// code is the first error's code, or "" when the request succeeded.
func (r mxResponse) code() string {
	if len(r.errors) == 0 {
		return ""
	}
	c, _ := r.errors[0].Extensions["code"].(string)
	if c == "" {
		return "NO_CODE(" + r.errors[0].Message + ")"
	}
	return c
}
