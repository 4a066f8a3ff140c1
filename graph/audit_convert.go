package graph

import (
	"github.com/egide/egide/graph/model"
	"github.com/egide/egide/internal/audit"
	"github.com/egide/egide/internal/auditlog"
)

// Conversions between the audit log reader and its GraphQL types
// (generated, not bound: the resolvers map them here).

func auditFilter(f *model.AuditFilter) auditlog.Filter {
	if f == nil {
		return auditlog.Filter{}
	}
	out := auditlog.Filter{ActorID: f.ActorID, ResourceID: f.ResourceID, DossierID: f.DossierID, Action: f.Action,
		From: f.From, To: f.To}
	if f.Outcome != nil {
		o := audit.Allowed
		if *f.Outcome == model.AuditOutcomeDenied {
			o = audit.Denied
		}
		out.Outcome = &o
	}
	if f.Category != nil && *f.Category == model.AuditCategoryPrivilege {
		c := auditlog.CategoryPrivilege
		out.Category = &c
	}
	return out
}

func auditOutcome(o audit.Outcome) model.AuditOutcome {
	if o == audit.Denied {
		return model.AuditOutcomeDenied
	}
	return model.AuditOutcomeAllowed
}

// nonNil keeps a [String!]! from being answered null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func auditEventConnection(p auditlog.Page) model.AuditEventConnection {
	nodes := make([]model.AuditEvent, len(p.Nodes))
	for i, e := range p.Nodes {
		nodes[i] = model.AuditEvent{ID: auditlog.EventUUID(e.ID), OccurredAt: e.OccurredAt, ActorID: e.ActorID,
			ActorName: e.ActorName, ActorRoles: nonNil(e.ActorRoles), OrganisationID: e.OrganisationID, Action: e.Action,
			ResourceType: e.ResourceType, ResourceIds: nonNil(e.ResourceIDs), DossierID: e.DossierID, Reason: e.Reason,
			Outcome: auditOutcome(e.Outcome), Permission: e.Permission, SourceIP: e.SourceIP, UserAgent: e.UserAgent,
			RequestID: e.RequestID, Sealed: e.Sealed}
	}
	return model.AuditEventConnection{Nodes: nodes,
		PageInfo: &model.PageInfo{HasNextPage: p.Info.HasNextPage, EndCursor: p.Info.EndCursor}}
}

func accessReport(r auditlog.Report) model.AccessReport {
	entries := make([]model.AccessReportEntry, len(r.Entries))
	for i, e := range r.Entries {
		entries[i] = model.AccessReportEntry{OccurredAt: e.OccurredAt, Who: e.Who, Roles: nonNil(e.Roles), What: e.What,
			Outcome: auditOutcome(e.Outcome), Reason: e.Reason}
	}
	return model.AccessReport{Pseudonym: r.Pseudonym, DossierReference: r.DossierReference, GeneratedAt: r.GeneratedAt,
		Entries: entries}
}
