package graph

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/egide/egide/internal/actor"
	"github.com/egide/egide/internal/apperr"
	"github.com/egide/egide/internal/charge"
	"github.com/egide/egide/internal/deadlines"
	"github.com/egide/egide/internal/dossier"
	"github.com/egide/egide/internal/evidence"
	"github.com/egide/egide/internal/hearing"
	"github.com/egide/egide/internal/organisation"
	"github.com/egide/egide/internal/person"
	"github.com/egide/egide/internal/proceeding"
)

// Loaders batch the by-id loads of one request, so a page of 50 dossiers
// with their victims, current proceeding and next hearing costs a fixed
// number of queries. They are built per request for its actor: each batch
// is one authorized, audited service call.
type Loaders struct {
	Dossier               *dataloadgen.Loader[uuid.UUID, dossier.Dossier]
	Organisation          *dataloadgen.Loader[uuid.UUID, organisation.Organisation]
	Proceeding            *dataloadgen.Loader[uuid.UUID, proceeding.Proceeding]
	VictimsByDossier      *dataloadgen.Loader[uuid.UUID, []person.Victim]
	DefendantsByDossier   *dataloadgen.Loader[uuid.UUID, []person.Defendant]
	CurrentProceeding     *dataloadgen.Loader[uuid.UUID, *proceeding.Proceeding]
	NextHearing           *dataloadgen.Loader[uuid.UUID, *hearing.Hearing]
	DeadlinesByDossier    *dataloadgen.Loader[uuid.UUID, []deadlines.Deadline]
	NextDeadline          *dataloadgen.Loader[uuid.UUID, *deadlines.Deadline]
	ConsentsByVictim      *dataloadgen.Loader[uuid.UUID, []person.Consent]
	StandingsByProceeding *dataloadgen.Loader[uuid.UUID, []proceeding.Standing]
	ReportsByReference    *dataloadgen.Loader[uuid.UUID, []evidence.Report]
	// Charge.replaces and Charge.replacedBy load charges by id through two
	// loaders, so that each field of a list makes exactly one batch (with
	// one loader, whether the two fields' keys share a batch would depend
	// on timing). Absent (hidden) charges load nil.
	ChargeReplaces   *dataloadgen.Loader[uuid.UUID, *charge.Charge]
	ChargeReplacedBy *dataloadgen.Loader[uuid.UUID, *charge.Charge]
}

type loadersKey struct{}

// loaderWait is how long a loader waits to gather keys into one batch.
const loaderWait = 2 * time.Millisecond

// NewLoaders returns the loaders of one request made by a.
func (r *Resolver) NewLoaders(a actor.Actor) *Loaders {
	opt := dataloadgen.WithWait(loaderWait)
	return &Loaders{
		Dossier: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]dossier.Dossier, error) {
			return mustAll(r.DossierSvc.ByIDs(ctx, a, ids))(ids, "dossier")
		}, opt),
		Organisation: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]organisation.Organisation, error) {
			return mustAll(r.OrganisationSvc.ByIDs(ctx, a, ids))(ids, "organisation")
		}, opt),
		Proceeding: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]proceeding.Proceeding, error) {
			return mustAll(r.ProceedingSvc.ByIDs(ctx, a, ids))(ids, "proceeding")
		}, opt),
		VictimsByDossier: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]person.Victim, error) {
			return complete[person.Victim](ids)(r.PersonSvc.VictimsByDossiers(ctx, a, ids))
		}, opt),
		DefendantsByDossier: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]person.Defendant, error) {
			return complete[person.Defendant](ids)(r.PersonSvc.DefendantsByDossiers(ctx, a, ids))
		}, opt),
		CurrentProceeding: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*proceeding.Proceeding, error) {
			return pointers[proceeding.Proceeding](ids)(r.ProceedingSvc.CurrentByDossiers(ctx, a, ids))
		}, opt),
		NextHearing: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*hearing.Hearing, error) {
			return pointers[hearing.Hearing](ids)(r.HearingSvc.NextByDossiers(ctx, a, ids, time.Now()))
		}, opt),
		DeadlinesByDossier: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]deadlines.Deadline, error) {
			return complete[deadlines.Deadline](ids)(r.DeadlineSvc.ByDossiers(ctx, a, ids))
		}, opt),
		NextDeadline: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*deadlines.Deadline, error) {
			return pointers[deadlines.Deadline](ids)(r.DeadlineSvc.NextByDossiers(ctx, a, ids))
		}, opt),
		ConsentsByVictim: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]person.Consent, error) {
			return complete[person.Consent](ids)(r.PersonSvc.ConsentsByVictims(ctx, a, ids))
		}, opt),
		StandingsByProceeding: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]proceeding.Standing, error) {
			return complete[proceeding.Standing](ids)(r.ProceedingSvc.StandingsByProceedings(ctx, a, ids))
		}, opt),
		ReportsByReference: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]evidence.Report, error) {
			return complete[evidence.Report](ids)(r.ReferenceSvc.ReportsByReferences(ctx, a, ids))
		}, opt),
		ChargeReplaces: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*charge.Charge, error) {
			return pointers[charge.Charge](ids)(r.ChargeSvc.ByIDs(ctx, a, ids))
		}, opt),
		ChargeReplacedBy: dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*charge.Charge, error) {
			return pointers[charge.Charge](ids)(r.ChargeSvc.ByIDs(ctx, a, ids))
		}, opt),
	}
}

// WithLoaders returns ctx carrying l.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

func loaders(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*Loaders)
}

// mustAll reports a key missing from a batch as NOT_FOUND for that key.
func mustAll[T any](m map[uuid.UUID]T, err error) func([]uuid.UUID, string) (map[uuid.UUID]T, error) {
	return func(ids []uuid.UUID, kind string) (map[uuid.UUID]T, error) {
		if err != nil {
			return nil, err
		}
		errs := dataloadgen.MappedFetchError[uuid.UUID]{}
		for _, id := range ids {
			if _, ok := m[id]; !ok {
				errs[id] = apperr.NotFoundError()
			}
		}
		if len(errs) > 0 {
			return m, errs
		}
		return m, nil
	}
}

// complete gives every key a value: keys with no rows load an empty list.
func complete[T any](ids []uuid.UUID) func(map[uuid.UUID][]T, error) (map[uuid.UUID][]T, error) {
	return func(m map[uuid.UUID][]T, err error) (map[uuid.UUID][]T, error) {
		if err != nil {
			return nil, err
		}
		if m == nil {
			m = make(map[uuid.UUID][]T, len(ids))
		}
		for _, id := range ids {
			if _, ok := m[id]; !ok {
				m[id] = []T{}
			}
		}
		return m, nil
	}
}

// pointers turns a map of optional values into pointers; absent keys load nil.
func pointers[T any](ids []uuid.UUID) func(map[uuid.UUID]T, error) (map[uuid.UUID]*T, error) {
	return func(m map[uuid.UUID]T, err error) (map[uuid.UUID]*T, error) {
		if err != nil {
			return nil, err
		}
		out := make(map[uuid.UUID]*T, len(ids))
		for _, id := range ids {
			if v, ok := m[id]; ok {
				out[id] = &v
			} else {
				out[id] = nil
			}
		}
		return out, nil
	}
}

// loadWithSiblings loads key with l, first queueing the keys (keyOf, nil
// for none) of every object of the list that the current object belongs
// to (e.g. the other charges of Dossier.charges). The first resolver of the
// list to run thus puts all of them in one batch, and the others find
// their keys already queued or loaded: a list costs one batch whatever the
// goroutine timing, which a busy server would otherwise spread over
// several batches.
func loadWithSiblings[T, V any](ctx context.Context, l *dataloadgen.Loader[uuid.UUID, V], key uuid.UUID,
	keyOf func(*T) *uuid.UUID) (V, error) {
	list := siblings[T](ctx)
	for i := range list {
		if k := keyOf(&list[i]); k != nil {
			l.LoadThunk(ctx, *k) // queue only: the thunk is waited on by Load below or by its own resolver
		}
	}
	return l.Load(ctx, key)
}

// siblings returns the list the object being resolved is an element of,
// when the field that returned it gave a []T; nil otherwise. gqlgen sets a
// list field's Result before it resolves the elements' fields.
func siblings[T any](ctx context.Context) []T {
	fc := graphql.GetFieldContext(ctx) // the field being resolved, e.g. Charge.replaces
	if fc == nil || fc.Parent == nil || fc.Parent.Index == nil || fc.Parent.Parent == nil {
		return nil // not an element of a list
	}
	list, _ := fc.Parent.Parent.Result.([]T)
	return list
}

// prefetchDossierFields loads, in one batch per loader, the nested fields
// that the current list query asks for on its dossier nodes. Without it the
// batches depend on goroutine timing (a busy server splits them); with it a
// page costs the same statements whatever its size or the load.
func prefetchDossierFields(ctx context.Context, ids, orgIDs []uuid.UUID) {
	if len(ids) == 0 {
		return
	}
	l := loaders(ctx)
	var wg sync.WaitGroup
	run := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	for name := range requestedFields(ctx, "nodes") {
		switch name {
		case "victims":
			run(func() { _, _ = l.VictimsByDossier.LoadAll(ctx, ids) })
		case "defendants":
			run(func() { _, _ = l.DefendantsByDossier.LoadAll(ctx, ids) })
		case "currentProceeding":
			run(func() { _, _ = l.CurrentProceeding.LoadAll(ctx, ids) })
		case "nextHearing":
			run(func() { _, _ = l.NextHearing.LoadAll(ctx, ids) })
		case "deadlines":
			run(func() { _, _ = l.DeadlinesByDossier.LoadAll(ctx, ids) })
		case "nextDeadline":
			run(func() { _, _ = l.NextDeadline.LoadAll(ctx, ids) })
		case "organisation":
			run(func() { _, _ = l.Organisation.LoadAll(ctx, orgIDs) })
		}
	}
	wg.Wait()
}

// requestedFields returns the names of the fields selected under the
// current field, following path (e.g. "nodes").
func requestedFields(ctx context.Context, path ...string) map[string]bool {
	oc := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, nil)
	for _, p := range path {
		var next []graphql.CollectedField
		for _, f := range fields {
			if f.Name == p {
				next = append(next, graphql.CollectFields(oc, f.Selections, nil)...)
			}
		}
		fields = next
	}
	out := make(map[string]bool, len(fields))
	for _, f := range fields {
		out[f.Name] = true
	}
	return out
}
