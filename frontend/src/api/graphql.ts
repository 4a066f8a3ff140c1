// gql.tada, set up for the API contract: every graphql(`...`) document is
// typed from src/api/generated/ (generated from graph/schema/*.graphqls by
// `npm run codegen`), so a query and the schema that disagree fail
// `npm run typecheck` (which runs `npm run codegen:check` first).
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './generated/graphql-env';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { ID: string; Time: string; Date: string };
  // Fragments compose selections (they replace string snippets); their fields
  // are part of the result type of every document that spreads them.
  disableMasking: true;
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';

/** An enum or input type of the schema, by name: SchemaType<'Role'>, SchemaType<'DossierFilter'>. */
export type SchemaType<Name extends Parameters<typeof graphql.scalar>[0]> = ReturnType<typeof graphql.scalar<Name>>;
