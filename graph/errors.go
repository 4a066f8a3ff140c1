package graph

import (
	"context"
	"log/slog"
	"regexp"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/postgres"
)

// suggestion matches the hints gqlparser adds to validation errors
// (`Did you mean "dossiers"?`, `Did you mean the enum value "OPENED_ON"?`):
// with introspection off, they would publish the schema one guess at a
// time.
var suggestion = regexp.MustCompile(`\s*Did you mean[^?]*\?`)

// withoutSuggestions strips every "Did you mean …?" from msg.
func withoutSuggestions(msg string) string {
	return strings.TrimSpace(suggestion.ReplaceAllString(msg, ""))
}

// introspectionRefused is the answer to __schema and __type when
// introspection is off (serve): a plain refusal, not a server fault.
func introspectionRefused(gqlErr *gqlerror.Error) bool {
	if gqlErr.Message != "introspection disabled" || len(gqlErr.Path) == 0 {
		return false
	}
	f, ok := gqlErr.Path[len(gqlErr.Path)-1].(ast.PathName)
	return ok && (f == "__schema" || f == "__type")
}

// presentClientFault turns errors that are the client's doing, though no
// domain code says so, into a client error: a refused introspection
// (FORBIDDEN) and a value the database refused (INVALID, logged as a
// warning without the value). It reports whether it did.
func presentClientFault(ctx context.Context, log *slog.Logger, gqlErr *gqlerror.Error, err error) bool {
	switch {
	case introspectionRefused(gqlErr):
		gqlErr.Message = "introspection is disabled on this server"
		gqlErr.Extensions = map[string]any{"code": string(apperr.Forbidden)}
		return true
	case postgres.ClientFault(err):
		log.WarnContext(ctx, "value refused by the database", "request_id", ActorFrom(ctx).RequestID,
			"error", postgres.LogSafe(err))
		gqlErr.Message = "invalid value"
		gqlErr.Extensions = map[string]any{"code": string(apperr.Invalid)}
		return true
	}
	return false
}
