package auth

import (
	_ "embed"
	"strings"
	"unicode/utf8"

	"github.com/egide/egide/internal/apperr"
)

// MinPasswordLength is the shortest password accepted (NIST SP 800-63B
// asks for at least 8; sensitive data warrants more).
const MinPasswordLength = 12

// MaxPasswordLength bounds the work argon2id does for one request.
const MaxPasswordLength = 256

//go:embed common-passwords.txt
var commonPasswordsFile string

// PasswordPolicy refuses short, overlong and common passwords. It is
// immutable after NewPasswordPolicy.
type PasswordPolicy struct {
	common map[string]bool
}

// NewPasswordPolicy loads the shipped list of common passwords.
func NewPasswordPolicy() *PasswordPolicy {
	p := &PasswordPolicy{common: map[string]bool{}}
	for _, l := range strings.Split(commonPasswordsFile, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			p.common[l] = true
		}
	}
	return p
}

// Check returns an INVALID error on field when password is not acceptable;
// email is refused as a password too.
func (p *PasswordPolicy) Check(field, password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return apperr.InvalidField(field, "must have at least %d characters", MinPasswordLength)
	case len(password) > MaxPasswordLength:
		return apperr.InvalidField(field, "must have at most %d bytes", MaxPasswordLength)
	}
	low := strings.ToLower(password)
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	if p.common[low] || low == strings.ToLower(email) || (len(local) >= 4 && strings.Contains(low, local)) {
		return apperr.InvalidField(field, "is too common or too close to the e-mail address: choose another")
	}
	return nil
}
