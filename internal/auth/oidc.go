package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/postgres"
)

// OIDCConfig configures single sign-on with an OpenID Connect provider.
type OIDCConfig struct {
	Issuer       string // the provider's issuer URL, exactly as its discovery document states it
	ClientID     string
	ClientSecret string
	RedirectURL  string // this instance's callback: https://<host>/auth/oidc/callback
	// RequireMFA refuses an ID token whose amr claim shows no second factor
	// ("mfa", "otp" or "hwk").
	RequireMFA bool
	// HTTPClient makes the calls to the provider; default: a client with a
	// 10-second timeout.
	HTTPClient *http.Client
}

// OIDCLoginTTL bounds the time between leaving for the provider and
// coming back to the callback.
const OIDCLoginTTL = 10 * time.Minute

// OIDCAction is the audit action of a single sign-on, allowed or denied.
const OIDCAction = "auth.oidc.login"

// Why a callback gives no session. The wrapped message says why, for the
// log, without personal data; the user is only told which of the two.
var (
	// ErrOIDCState: the callback does not belong to a sign-in this browser
	// began, or it was already used, or it expired.
	ErrOIDCState = errors.New("oidc: unknown, expired or already used sign-in")
	// ErrOIDCDenied: the provider's answer is invalid, or it names no
	// account that may sign in this way.
	ErrOIDCDenied = errors.New("oidc: sign-in denied")
)

// mfaMethods are the amr values (RFC 8176) that show a second factor.
var mfaMethods = []string{"mfa", "otp", "hwk"}

// OIDC signs users in through an OpenID Connect provider (authorization
// code flow with PKCE) into the local accounts an administrator created.
type OIDC struct {
	svc    *Service
	cfg    OIDCConfig
	client *http.Client

	// The provider is discovered on first use, not at start: an identity
	// provider that is down must not keep Égide (and its local accounts)
	// from starting.
	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// NewOIDC returns single sign-on for svc. It makes no network call.
func NewOIDC(svc *Service, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: issuer, client id, client secret and redirect URL are required")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &OIDC{svc: svc, cfg: cfg, client: client}, nil
}

// discover returns the OAuth2 configuration and the ID token verifier,
// fetching the provider's discovery document the first time.
func (o *OIDC) discover(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		dctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, o.client), 10*time.Second)
		defer cancel()
		p, err := oidc.NewProvider(dctx, o.cfg.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("oidc: discover the provider: %w", err)
		}
		// The verifier checks signature (keys from the provider's JWKS, fetched
		// with o.client), issuer, audience and expiry; the nonce is ours.
		o.provider, o.verifier = p, p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	}
	return &oauth2.Config{
		ClientID:     o.cfg.ClientID,
		ClientSecret: o.cfg.ClientSecret,
		Endpoint:     o.provider.Endpoint(),
		RedirectURL:  o.cfg.RedirectURL,
		Scopes:       []string{oidc.ScopeOpenID, "email"},
	}, o.verifier, nil
}

// OIDCStart is a sign-in sent to the provider.
type OIDCStart struct {
	State string // keep it in the browser and hand it back to Finish
	URL   string // send the browser there
}

// Begin starts a sign-in: a random state, nonce and PKCE verifier, kept in
// PostgreSQL (any instance may receive the callback) for OIDCLoginTTL.
func (o *OIDC) Begin(ctx context.Context) (OIDCStart, error) {
	oc, _, err := o.discover(ctx)
	if err != nil {
		return OIDCStart{}, err
	}
	state, stateHash, err := NewToken()
	if err != nil {
		return OIDCStart{}, err
	}
	nonce, nonceHash, err := NewToken()
	if err != nil {
		return OIDCStart{}, err
	}
	verifier := oauth2.GenerateVerifier()
	err = postgres.InTx(ctx, o.svc.pool, func(tx pgx.Tx) error {
		// Expired sign-ins are swept here, a few at a time and skipping rows
		// another instance is sweeping: no job to run, no lock to wait on.
		if _, err := tx.Exec(ctx, `DELETE FROM oidc_logins WHERE state_hash IN (
			SELECT state_hash FROM oidc_logins WHERE expires_at < now() LIMIT 100 FOR UPDATE SKIP LOCKED)`); err != nil {
			return fmt.Errorf("sweep expired sign-ins: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO oidc_logins (state_hash, nonce_hash, verifier, expires_at)
			VALUES ($1, $2, $3, now() + make_interval(secs => $4))`, stateHash, nonceHash, verifier, OIDCLoginTTL.Seconds()); err != nil {
			return fmt.Errorf("store sign-in: %w", err)
		}
		return nil
	})
	if err != nil {
		return OIDCStart{}, err
	}
	url := oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return OIDCStart{State: state, URL: url}, nil
}

// OIDCCallback is what reached the callback.
type OIDCCallback struct {
	State        string // the state query parameter
	BrowserState string // the state the browser kept since Begin (its cookie)
	Code         string // the code query parameter
	Error        string // the error query parameter: the provider refused
}

// idClaims are the ID token claims Égide reads beyond the standard ones.
type idClaims struct {
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	AMR           []string        `json:"amr"`
	AZP           string          `json:"azp"`
}

// emailRefused reports an email_verified claim that is present and not
// true (some providers send it as a string).
func (c idClaims) emailRefused() bool {
	switch strings.TrimSpace(string(c.EmailVerified)) {
	case "", "null", "true", `"true"`:
		return false
	}
	return true
}

// Finish completes a sign-in at the callback and opens a full session for
// the local account the identity maps to: by its bound subject, else by
// its verified e-mail (the subject is then bound to the account). Errors
// wrap ErrOIDCState or ErrOIDCDenied (each written to the audit log as a
// denied OIDCAction) or are internal.
func (o *OIDC) Finish(ctx context.Context, cb OIDCCallback, meta actor.Actor) (LoginResult, error) {
	if cb.State == "" || subtle.ConstantTimeCompare([]byte(cb.State), []byte(cb.BrowserState)) != 1 {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCState, "the state does not match the browser's")
	}
	// Deleted before anything else: a state is used once, whatever follows.
	var nonceHash []byte
	var verifier string
	var live bool
	err := o.svc.pool.QueryRow(ctx, `DELETE FROM oidc_logins WHERE state_hash = $1
		RETURNING nonce_hash, verifier, expires_at > now()`, HashToken(cb.State)).Scan(&nonceHash, &verifier, &live)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !live) {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCState, "no pending sign-in for this state")
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("oidc: take pending sign-in: %w", err)
	}
	if cb.Error != "" || cb.Code == "" {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCDenied, "the provider returned no code")
	}
	oc, idVerifier, err := o.discover(ctx)
	if err != nil {
		return LoginResult{}, err
	}
	tok, err := oc.Exchange(oidc.ClientContext(ctx, o.client), cb.Code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return o.deny(ctx, meta, uuid.Nil, ErrOIDCDenied, "the provider refused the code: "+re.ErrorCode)
		}
		return LoginResult{}, fmt.Errorf("oidc: exchange the code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCDenied, "no ID token in the provider's answer")
	}
	idt, err := idVerifier.Verify(ctx, raw)
	if err != nil {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCDenied, "invalid ID token: "+err.Error())
	}
	got := sha256.Sum256([]byte(idt.Nonce))
	if subtle.ConstantTimeCompare(got[:], nonceHash) != 1 {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCDenied, "the ID token's nonce is not this sign-in's")
	}
	var claims idClaims
	if err := idt.Claims(&claims); err != nil {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCDenied, "unreadable ID token claims")
	}
	// OpenID Connect Core 3.1.3.7: with several audiences, or an azp, we
	// must be the authorized party.
	if (len(idt.Audience) > 1 || claims.AZP != "") && claims.AZP != o.cfg.ClientID {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCDenied, "the ID token was issued to another client")
	}
	if idt.Subject == "" {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCDenied, "the ID token has no subject")
	}
	if o.cfg.RequireMFA && !slices.ContainsFunc(claims.AMR, func(m string) bool { return slices.Contains(mfaMethods, m) }) {
		return o.deny(ctx, meta, uuid.Nil, ErrOIDCDenied, "the provider shows no second factor (amr)")
	}
	user, reason, err := o.account(ctx, o.cfg.Issuer+"|"+idt.Subject, claims)
	if err != nil {
		return LoginResult{}, err
	}
	if reason != "" {
		return o.deny(ctx, meta, user, ErrOIDCDenied, reason)
	}
	return o.svc.OpenSession(ctx, user, meta, OIDCAction)
}

// account finds the local account of an identity; a non-empty reason says
// why it may not sign in (user is then the account, if there is one).
func (o *OIDC) account(ctx context.Context, subject string, c idClaims) (user uuid.UUID, reason string, err error) {
	err = postgres.InTx(ctx, o.svc.pool, func(tx pgx.Tx) error {
		var disabled, superadmin, bound bool
		err := tx.QueryRow(ctx, `SELECT id, disabled_at IS NOT NULL, superadmin FROM users WHERE oidc_subject = $1`, subject).
			Scan(&user, &disabled, &superadmin)
		byEmail := errors.Is(err, pgx.ErrNoRows)
		if err != nil && !byEmail {
			return fmt.Errorf("find user by subject: %w", err)
		}
		if byEmail {
			email := strings.ToLower(strings.TrimSpace(c.Email))
			if email == "" {
				reason = "no account for this identity"
				return nil
			}
			if c.emailRefused() {
				reason = "the provider has not verified the e-mail"
				return nil
			}
			err := tx.QueryRow(ctx, `SELECT id, disabled_at IS NOT NULL, superadmin, oidc_subject IS NOT NULL
				FROM users WHERE email = $1 FOR UPDATE`, email).Scan(&user, &disabled, &superadmin, &bound)
			if errors.Is(err, pgx.ErrNoRows) {
				reason = "no account for this identity"
				return nil
			}
			if err != nil {
				return fmt.Errorf("find user by e-mail: %w", err)
			}
		}
		switch {
		case bound:
			reason = "the account is bound to another identity"
		case disabled:
			reason = "the account is disabled"
		case superadmin:
			// The instance operator's account must not depend on one
			// organisation's identity provider.
			reason = "superadmin accounts sign in with a password"
		case byEmail:
			if _, err := tx.Exec(ctx, `UPDATE users SET oidc_subject = $2 WHERE id = $1`, user, subject); err != nil {
				return postgres.MapError(fmt.Errorf("bind subject: %w", err))
			}
		}
		return nil
	})
	return user, reason, err
}

// deny writes the refusal to the audit log, in a transaction of its own,
// and returns kind with the reason.
func (o *OIDC) deny(ctx context.Context, meta actor.Actor, user uuid.UUID, kind error, reason string) (LoginResult, error) {
	m := meta
	m.UserID = user
	// Written even when the client has gone: a refusal is always on record.
	ctx = context.WithoutCancel(ctx)
	err := postgres.InTx(ctx, o.svc.pool, func(tx pgx.Tx) error {
		return audit.Record(ctx, tx, m, audit.Event{Action: OIDCAction, ResourceType: "session", Outcome: audit.Denied})
	})
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{}, fmt.Errorf("%w: %s", kind, reason)
}
