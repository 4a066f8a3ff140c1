package person

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/authz"
	"github.com/egide/egide/internal/valid"
)

// IdentityInput is a whole identity: it replaces the stored one.
type IdentityInput struct {
	LegalName           string
	BirthDate           *time.Time
	Address             *string
	Phone               *string
	Email               *string
	LegalRepresentative *string
	AdHocAdministrator  *string
}

// identity validates in. Messages never repeat the values: they are
// personal data and errors may be logged.
func (s *Service) identity(in IdentityInput) (Identity, error) {
	var v apperr.Validation
	id := Identity{
		LegalName:           valid.Text(&v, "legalName", in.LegalName, 1, 200),
		Address:             opt(valid.OptText(&v, "address", in.Address, 500)),
		Phone:               opt(valid.OptText(&v, "phone", in.Phone, 40)),
		Email:               opt(valid.OptText(&v, "email", in.Email, 254)),
		LegalRepresentative: opt(valid.OptText(&v, "legalRepresentative", in.LegalRepresentative, 300)),
		AdHocAdministrator:  opt(valid.OptText(&v, "adHocAdministrator", in.AdHocAdministrator, 300)),
	}
	if in.BirthDate != nil {
		b := *in.BirthDate
		switch {
		case b.After(s.today()):
			v.Add("birthDate", "must not be in the future")
		case b.Year() < 1900: // a typing mistake such as 0202 for 2002
			v.Add("birthDate", "must not be before 1900")
		}
		id.BirthDate = &b
	}
	if id.Phone != "" && strings.IndexFunc(id.Phone, func(r rune) bool {
		return !strings.ContainsRune("0123456789+-.() ", r)
	}) >= 0 {
		v.Add("phone", "may contain only digits, spaces and + - . ( )")
	}
	if id.Email != "" && !looksLikeEmail(id.Email) {
		v.Add("email", "is not an e-mail address")
	}
	return id, v.Err()
}

// looksLikeEmail is deliberately loose: one @ with something on both
// sides, a dot in the domain, no spaces.
func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && !strings.Contains(domain, "@") && !strings.ContainsAny(s, " \t\r\n") &&
		strings.Contains(strings.Trim(domain, "."), ".")
}

// aad binds a sealed identity to its person: a ciphertext or wrapped key
// copied to another row does not open.
func aad(kind string, id uuid.UUID) []byte { return []byte(kind + ":" + id.String()) }

// setIdentity seals id for the person and stores it.
func (s *Service) setIdentity(ctx context.Context, tx pgx.Tx, kind string, personID uuid.UUID, id Identity) error {
	plain, err := json.Marshal(id)
	if err != nil {
		return fmt.Errorf("encode identity: %w", err)
	}
	defer clear(plain)
	ct, wk, err := s.kr.SealRecord(plain, aad(kind, personID))
	if err != nil {
		return fmt.Errorf("seal %s identity: %w", kind, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE `+personTable(kind)+` SET identity_ciphertext = $2, identity_wrapped_key = $3,
		identity_updated_at = now() WHERE id = $1`, personID, ct, wk); err != nil {
		return fmt.Errorf("store %s identity: %w", kind, err)
	}
	return nil
}

// SetVictimIdentity replaces a victim's identity, sealed under a new key of
// its own. It needs identity:write on the dossier (assigned legal staff or
// partner lawyer).
func (s *Service) SetVictimIdentity(ctx context.Context, a actor.Actor, id uuid.UUID, in IdentityInput) (Victim, error) {
	ident, err := s.identity(in)
	if err != nil {
		return Victim{}, err
	}
	var out Victim
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		did, err := authz.RowDossier(ctx, tx, personTable(kindVictim), kindVictim, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.IdentityWrite, did, kindVictim, id); err != nil {
			return err
		}
		if err := s.setIdentity(ctx, tx, kindVictim, id, ident); err != nil {
			return err
		}
		out, err = scanVictim(tx.QueryRow(ctx, `SELECT `+victimColumns+` FROM victims v WHERE v.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read victim: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "victim.identity.write", ResourceType: kindVictim,
			ResourceIDs: []uuid.UUID{id}, DossierID: did, Permission: string(authz.IdentityWrite)})
	})
	return out, err
}

// SetDefendantIdentity replaces a defendant's identity, sealed under a new
// key of its own. It needs identity:write on the dossier.
func (s *Service) SetDefendantIdentity(ctx context.Context, a actor.Actor, id uuid.UUID, in IdentityInput) (Defendant, error) {
	ident, err := s.identity(in)
	if err != nil {
		return Defendant{}, err
	}
	var out Defendant
	err = s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		did, err := authz.RowDossier(ctx, tx, personTable(kindDefendant), kindDefendant, id)
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.IdentityWrite, did, kindDefendant, id); err != nil {
			return err
		}
		if err := s.setIdentity(ctx, tx, kindDefendant, id, ident); err != nil {
			return err
		}
		out, err = scanDefendant(tx.QueryRow(ctx, `SELECT `+defendantColumns+` FROM defendants v WHERE v.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read defendant: %w", err)
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: "defendant.identity.write", ResourceType: kindDefendant,
			ResourceIDs: []uuid.UUID{id}, DossierID: did, Permission: string(authz.IdentityWrite)})
	})
	return out, err
}

// RevealIdentity opens the identity of a victim or a defendant. It needs
// identity:read on the dossier (assigned legal staff or partner lawyer) and
// a reason, kept in the audit event. Errors: INVALID (reason), NOT_FOUND
// (no such person, not visible, or no identity recorded), FORBIDDEN.
func (s *Service) RevealIdentity(ctx context.Context, a actor.Actor, personID uuid.UUID, reason string) (Identity, error) {
	var v apperr.Validation
	reason = valid.Text(&v, "reason", reason, 3, 500)
	if err := v.Err(); err != nil {
		return Identity{}, err
	}
	var out Identity
	err := s.az.InTx(ctx, a, func(tx pgx.Tx) error {
		kind := kindVictim
		did, err := authz.RowDossier(ctx, tx, personTable(kind), kind, personID)
		if apperr.CodeOf(err) == apperr.NotFound {
			kind = kindDefendant
			did, err = authz.RowDossier(ctx, tx, personTable(kind), kind, personID)
		}
		if apperr.CodeOf(err) == apperr.NotFound {
			// Neither: refused and audited like a person the actor may not see.
			return &authz.Denial{Permission: authz.IdentityRead, ResourceType: kind, ResourceID: personID}
		}
		if err != nil {
			return err
		}
		if _, err := s.az.Dossier(ctx, tx, a, authz.IdentityRead, did, kind, personID); err != nil {
			return err
		}
		var ct, wk []byte
		err = tx.QueryRow(ctx, `SELECT identity_ciphertext, identity_wrapped_key FROM `+personTable(kind)+` WHERE id = $1`,
			personID).Scan(&ct, &wk)
		if err != nil {
			return fmt.Errorf("read %s identity: %w", kind, err)
		}
		if wk == nil || ct == nil {
			return apperr.NotFoundError()
		}
		plain, err := s.kr.OpenRecord(ct, wk, aad(kind, personID))
		if err != nil {
			return fmt.Errorf("open %s identity %s: %w", kind, personID, err)
		}
		defer clear(plain)
		if err := json.Unmarshal(plain, &out); err != nil {
			// The JSON error may quote the plaintext: do not wrap it.
			return errors.New("decode identity: malformed document")
		}
		return audit.Record(ctx, tx, a, audit.Event{Action: kind + ".identity.reveal", ResourceType: kind,
			ResourceIDs: []uuid.UUID{personID}, DossierID: did, Reason: reason, Permission: string(authz.IdentityRead)})
	})
	if err != nil {
		return Identity{}, err
	}
	return out, nil
}
