// Queries the tests use to pick their subjects from the seeded data.
import { gql } from './app.mjs';

/** Every dossier the page's user can list: [{id, reference, title}], and the API's totalCount. */
export async function listDossiers(page) {
  const out = [];
  let after = null;
  let total = 0;
  for (;;) {
    const d = await gql(page, `query($after: String) { dossiers(first: 100, after: $after) { totalCount nodes { id reference title } pageInfo { hasNextPage endCursor } } }`, { after });
    total = d.dossiers.totalCount;
    out.push(...d.dossiers.nodes);
    if (!d.dossiers.pageInfo.hasNextPage) break;
    after = d.dossiers.pageInfo.endCursor;
  }
  return { nodes: out, totalCount: total };
}

const RICH = `id reference title victims { pseudonym } defendants { pseudonym }
  charges { article history { id } } proceedings { id } hearings { id }`;

/** The first dossier with victims, a requalified charge, proceedings and hearings. */
export async function richDossier(page) {
  const { nodes } = await listDossiers(page);
  for (const n of nodes) {
    const { dossier: d } = await gql(page, `query($id: ID!) { dossier(id: $id) { ${RICH} } }`, { id: n.id });
    if (d.victims.length && d.proceedings.length && d.hearings.length && d.charges.some((c) => c.history.length > 1)) return d;
  }
  throw new Error('e2e: no seeded dossier has victims, a requalified charge, proceedings and hearings');
}

/**
 * A dossier the page's user is assigned to, with a victim whose identity is
 * recorded (revealing needs an assignment): { dossier: {id, reference}, victim: {id, pseudonym} }.
 */
export async function dossierWithIdentity(page) {
  const { me } = await gql(page, 'query { me { id } }');
  const { nodes } = await listDossiers(page);
  for (const n of nodes) {
    const { dossier } = await gql(page, `query($id: ID!) { dossier(id: $id) { id reference assignees { userId } victims { id pseudonym hasIdentity } } }`, { id: n.id });
    if (!dossier?.assignees.some((a) => a.userId === me.id)) continue;
    const v = dossier.victims.find((x) => x.hasIdentity);
    if (v) return { me, dossier, victim: v };
  }
  throw new Error('e2e: the seed assigns the user no dossier with a victim whose identity is recorded');
}
