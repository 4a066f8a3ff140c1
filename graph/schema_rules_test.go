package graph_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/egide/egide/graph"
	"github.com/egide/egide/graph/generated"
	"github.com/egide/egide/internal/authz"
)

// Adding a query, a mutation or a resolved field that returns case data
// without deciding who may call it fails these tests, which say where the
// decision goes. They need no database.

// caseDataTypes are the types that carry case data or people: every field
// a resolver computes on them must name its permission.
var caseDataTypes = []string{"Dossier", "Victim", "Defendant", "Charge", "Proceeding", "CivilPartyStanding",
	"Hearing", "Deadline", "Consent", "Identity", "User", "Evidence", "ContentReference", "ContentReport"}

func executableSchema() *ast.Schema {
	return generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}}).Schema()
}

func knownPermission(p authz.Permission) bool {
	if p == permSession {
		return true
	}
	for _, x := range authz.Permissions {
		if x == p {
			return true
		}
	}
	return false
}

// Every Query and Mutation field is in the authorization matrix's table.
func TestEveryOperationIsInTheAuthzMatrix(t *testing.T) {
	t.Parallel()
	schema := executableSchema()
	table := map[string]*authzOperation{}
	for _, op := range authzOperations {
		key := op.Root + "." + op.Field
		if table[key] != nil {
			t.Errorf("%s is twice in authzOperations (graph/authz_matrix_test.go)", key)
		}
		table[key] = op
		if !knownPermission(op.Perm) {
			t.Errorf("%s: permission %q is neither one of authz.Permissions nor %q", key, op.Perm, permSession)
		}
		if op.Query == "" || !strings.Contains(op.Query, op.Field) {
			t.Errorf("%s: its query does not call it", key)
		}
		if op.Scope != scopeDossier && op.Expect == nil {
			t.Errorf("%s: an operation outside dossier scope needs its Expect rule", key)
		}
	}
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation} {
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if table[root.Name+"."+f.Name] == nil {
				t.Errorf("%s.%s is not in the authorization matrix: add it to authzOperations in graph/authz_matrix_test.go "+
					"with the permission it needs (internal/authz, docs/security.md), its scope, a query and its variables, "+
					"so that every role calls it on every relation", root.Name, f.Name)
			}
		}
	}
	for key := range table {
		root, field, _ := strings.Cut(key, ".")
		def := schema.Query
		if root == "Mutation" {
			def = schema.Mutation
		}
		if root != def.Name || def.Fields.ForName(field) == nil {
			t.Errorf("authzOperations lists %s, which the schema does not have: remove it", key)
		}
	}
}

// resolverFields returns, for every type with a generated resolver
// interface (generated.DossierResolver ...), the schema fields its methods
// compute, as "Type.field" → "generated.TypeResolver.Method".
func resolverFields(t *testing.T, schema *ast.Schema) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := reflect.TypeOf((*generated.ResolverRoot)(nil)).Elem()
	for i := range root.NumMethod() {
		typ := root.Method(i).Name
		if typ == "Query" || typ == "Mutation" {
			continue
		}
		iface := root.Method(i).Type.Out(0)
		def := schema.Types[typ]
		if def == nil {
			t.Errorf("generated.ResolverRoot.%s names no schema type", typ)
			continue
		}
		for j := range iface.NumMethod() {
			m := iface.Method(j).Name
			found := false
			for _, f := range def.Fields {
				if strings.EqualFold(f.Name, m) {
					out[typ+"."+f.Name] = "generated." + iface.Name() + "." + m
					found = true
				}
			}
			if !found {
				t.Errorf("generated.%s.%s matches no field of %s", iface.Name(), m, typ)
			}
		}
	}
	return out
}

// reachable returns the object types reachable from the roots.
func reachable(schema *ast.Schema, roots ...*ast.Definition) map[string]bool {
	seen := map[string]bool{}
	var walk func(d *ast.Definition)
	walk = func(d *ast.Definition) {
		if d == nil || seen[d.Name] {
			return
		}
		seen[d.Name] = true
		for _, f := range d.Fields {
			walk(schema.Types[f.Type.Name()])
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return seen
}

// Every field a resolver computes on a case-data type names the permission
// that guards it, and the matrix knows how to reach it.
func TestEveryCaseDataResolverHasAPermission(t *testing.T) {
	t.Parallel()
	schema := executableSchema()
	resolved := resolverFields(t, schema)
	// Mutations return case data too (revealIdentity an Identity): both roots.
	reach := reachable(schema, schema.Query, schema.Mutation)
	guarded := map[string]bool{}
	for _, name := range caseDataTypes {
		if schema.Types[name] == nil {
			t.Errorf("caseDataTypes names %s, which the schema does not have", name)
		}
		guarded[name] = reach[name]
	}
	// Any other type a resolver serves is held to the same rule: a resolver
	// is a fetch, and every fetch decides its authorization.
	keys := make([]string, 0, len(resolved))
	for key := range resolved {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		typ, _, _ := strings.Cut(key, ".")
		if !reach[typ] {
			continue
		}
		if _, ok := nestedFieldPermissions[key]; !ok {
			kind := "a type served by resolvers"
			if guarded[typ] {
				kind = "a case-data type"
			}
			t.Errorf("%s (%s) is computed by %s but has no permission in nestedFieldPermissions "+
				"(graph/authz_matrix_test.go): decide which permission of internal/authz guards it, make sure the "+
				"service it calls enforces it, and add it there so the matrix reads it for every role", key, kind, resolved[key])
		}
	}
	for key, p := range nestedFieldPermissions {
		if _, ok := resolved[key]; !ok {
			t.Errorf("nestedFieldPermissions lists %s, which no resolver computes: remove it", key)
		}
		if !knownPermission(p) || p == permSession {
			t.Errorf("nestedFieldPermissions: %s has unknown permission %q", key, p)
		}
		typ, _, _ := strings.Cut(key, ".")
		if _, ok := nestedRoots[typ]; !ok {
			t.Errorf("%s: add to nestedRoots (graph/authz_matrix_test.go) the root query the matrix reaches a %s by", key, typ)
		}
	}
}
