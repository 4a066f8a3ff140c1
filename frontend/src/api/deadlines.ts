// The operations of the dossier page's deadlines section (échéances). The
// server computes every date and its explanation; the client sends a rule
// and the day of the triggering event, or, for a manual deadline, the date.
import { graphql, type ResultOf } from './graphql';

export const DEADLINE_FIELDS = graphql(`
  fragment DeadlineFields on Deadline {
    id ruleId codeVersion article triggerOn dueOn rawEndOn extended steps warnings title note status doneAt cancelReason cancelledAt
    proceeding { id }
    rule { id title article codeVersion citation concerns limits notes kind event duration }
  }
`);

export const DOSSIER_DEADLINES = graphql(
  `query DossierDeadlines($id: ID!) { dossier(id: $id) { id deadlines { ...DeadlineFields } } }`,
  [DEADLINE_FIELDS],
);
export type DeadlineRow = NonNullable<ResultOf<typeof DOSSIER_DEADLINES>['dossier']>['deadlines'][number];

export const DEADLINE_RULES = graphql(`
  query DeadlineRules($at: Date) { deadlineRules(at: $at) { id title appliesTo kind event duration citation } }`);
export type DeadlineRuleRow = ResultOf<typeof DEADLINE_RULES>['deadlineRules'][number];

export const COMPUTE_DEADLINE = graphql(
  `mutation ComputeDeadline($input: ComputeDeadlineInput!) { computeDeadline(input: $input) { ...DeadlineFields } }`,
  [DEADLINE_FIELDS],
);

export const ADD_MANUAL_DEADLINE = graphql(
  `mutation AddManualDeadline($input: AddManualDeadlineInput!) { addManualDeadline(input: $input) { ...DeadlineFields } }`,
  [DEADLINE_FIELDS],
);

export const COMPLETE_DEADLINE = graphql(`mutation CompleteDeadline($id: ID!) { completeDeadline(id: $id) { id status doneAt } }`);

export const CANCEL_DEADLINE = graphql(
  `mutation CancelDeadline($id: ID!, $reason: String!) { cancelDeadline(id: $id, reason: $reason) { id status cancelReason cancelledAt } }`,
);

export const DEADLINE_PREVIEW = graphql(`
  query DeadlinePreview($ruleId: String!, $triggerOn: Date!) {
    deadlinePreview(ruleId: $ruleId, triggerOn: $triggerOn) {
      codeVersion article triggerOn dueOn rawEndOn extended steps warnings
      rule { id title event }
    }
  }`);
