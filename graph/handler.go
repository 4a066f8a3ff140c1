package graph

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/egide/egide/graph/generated"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/postgres"
)

// Limits that keep one request from exhausting the server.
const (
	MaxDepth      = 12
	MaxComplexity = 2000
)

// HandlerOptions configure the GraphQL handler.
type HandlerOptions struct {
	Introspection bool // only in dev: production does not publish its schema
	Logger        *slog.Logger
}

// NewHandler returns the GraphQL HTTP handler: POST with JSON only (no GET,
// no multipart), depth and complexity limits, and one error presenter that
// decides what clients see.
func NewHandler(r *Resolver, opt HandlerOptions) *handler.Server {
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r}))
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if opt.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.Use(depthLimit{max: MaxDepth})
	srv.SetErrorPresenter(presenter(opt.Logger))
	srv.AroundResponses(oneTransactionPerRead(opt.Logger))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		opt.Logger.ErrorContext(ctx, "panic in resolver", "request_id", ActorFrom(ctx).RequestID,
			"panic", v, "stack", string(debug.Stack()))
		return errors.New("panic")
	})
	return srv
}

// oneTransactionPerRead runs each query operation in one shared
// transaction (postgres.Share): its accesses are read in one snapshot and
// their audit events written in it, with one commit before the response
// leaves. A failed commit sends no data at all, only INTERNAL, so no
// access goes unrecorded. Mutations keep one transaction per change.
func oneTransactionPerRead(log *slog.Logger) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation == nil || oc.Operation.Operation != ast.Query {
			return next(ctx)
		}
		ctx, tx := postgres.Share(ctx)
		defer tx.Finish(context.WithoutCancel(ctx)) // after a panic too: never leave the connection in a transaction
		resp := next(ctx)
		if err := tx.Finish(context.WithoutCancel(ctx)); err != nil {
			log.ErrorContext(ctx, "read request not committed: no data sent", "request_id", ActorFrom(ctx).RequestID,
				"error", err)
			return &graphql.Response{Errors: gqlerror.List{{Message: "internal error",
				Extensions: map[string]any{"code": string(apperr.Internal)}}}}
		}
		return resp
	}
}

// presenter maps errors to what clients may see: the domain code and
// message of an apperr.Error, the field errors of invalid input, and
// INTERNAL with nothing else for anything unexpected (which is logged with
// the request id so an operator can find it).
func presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := apperr.As(err); ok {
			gqlErr.Message = e.Message
			gqlErr.Extensions = map[string]any{"code": string(e.Code)}
			if len(e.Fields) > 0 {
				gqlErr.Extensions["fields"] = e.Fields
			}
			if secs := e.RetryAfterSeconds(); e.Code == apperr.RateLimited && secs > 0 {
				gqlErr.Extensions["retryAfter"] = secs
				if f, ok := ctx.Value(retryAfterKey{}).(func(int)); ok {
					f(secs)
				}
			}
			return gqlErr
		}
		var ge *gqlerror.Error
		if errors.As(err, &ge) && ge.Err == nil {
			// Parse and validation errors from gqlparser describe the query
			// against the public schema: safe to show, and the client's fault.
			gqlErr.Extensions = map[string]any{"code": string(apperr.Invalid)}
			return gqlErr
		}
		log.ErrorContext(ctx, "internal error", "request_id", ActorFrom(ctx).RequestID, "error", err)
		gqlErr.Message = "internal error"
		gqlErr.Extensions = map[string]any{"code": string(apperr.Internal)}
		return gqlErr
	}
}

type retryAfterKey struct{}

// WithRetryAfter returns ctx carrying set, which the error presenter calls
// with the seconds a RATE_LIMITED error asks the client to wait, so that
// the HTTP response can carry a Retry-After header. set may be called
// from several goroutines.
func WithRetryAfter(ctx context.Context, set func(seconds int)) context.Context {
	return context.WithValue(ctx, retryAfterKey{}, set)
}

// depthLimit refuses operations nested deeper than max.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                          { return "DepthLimit" }
func (depthLimit) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0, d.max) > d.max {
		e := gqlerror.Errorf("the query is nested too deeply (at most %d levels)", d.max)
		e.Extensions = map[string]any{"code": string(apperr.Invalid)}
		return e
	}
	return nil
}

func depth(set ast.SelectionSet, frags ast.FragmentDefinitionList, level, max int) int {
	if level > max { // stop early: also guards against fragment cycles
		return level
	}
	deepest := level
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				d = level + 1
			} else {
				d = depth(s.SelectionSet, frags, level+1, max)
			}
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, frags, level, max)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = depth(f.SelectionSet, frags, level, max)
			}
		}
		if d > deepest {
			deepest = d
		}
	}
	return deepest
}
