// The operations of the web app. Their result and variable types are
// inferred by gql.tada from the API contract (graph/schema/*.graphqls, see
// ./graphql.ts): the types exported here are derived from the documents, not
// written by hand. Shared selections are GraphQL fragments, passed to the
// documents that spread them.
import { graphql, type ResultOf, type SchemaType } from './graphql';

export type LoginStatus = SchemaType<'LoginStatus'>;
export type Role = SchemaType<'Role'>;
export type Theme = SchemaType<'Theme'>;
export const THEMES: readonly Theme[] = ['LIVE_STREAMING', 'GROOMING', 'SEXTORTION', 'ABUSE_IMAGES', 'TRAFFICKING', 'CHILD_PROSTITUTION'];
export type DossierStatus = SchemaType<'DossierStatus'>;
export const DOSSIER_STATUSES: readonly DossierStatus[] = ['OPEN', 'CLOSED'];

export const VIEWER_FIELDS = graphql(`fragment ViewerFields on Viewer { id displayName roles superadmin status organisation { id name } }`);
export type Viewer = ResultOf<typeof VIEWER_FIELDS>;

export const ME = graphql(`query Me { me { ...ViewerFields } }`, [VIEWER_FIELDS]);
export type MeData = ResultOf<typeof ME>;

// Public: asked by the sign-in screen before anyone is signed in.
export const SIGN_IN_OPTIONS = graphql(`query SignInOptions { signInOptions { singleSignOn } }`);

export const LOGIN = graphql(
  `
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      status
      viewer { ...ViewerFields }
      totpEnrollment { secret qrCodePng }
    }
  }`,
  [VIEWER_FIELDS],
);
export type LoginData = ResultOf<typeof LOGIN>;

export const LOGOUT = graphql(`mutation Logout { logout }`);

export const CONFIRM_TOTP = graphql(
  `mutation ConfirmTotp($code: String!) { confirmTotpEnrollment(code: $code) { codes viewer { ...ViewerFields } } }`,
  [VIEWER_FIELDS],
);
export type ConfirmTotpData = ResultOf<typeof CONFIRM_TOTP>;

/** New recovery codes for the signed-in user (needs a current TOTP code); the old ones stop working. */
/** The signed-in user's open sessions, and signing out of one of the others. */
export const MY_SESSIONS = graphql(`query MySessions { mySessions { id createdAt lastSeenAt expiresAt current } }`);
export const END_MY_SESSION = graphql(`mutation EndMySession($id: ID!) { endMySession(id: $id) }`);
export const REGENERATE_RECOVERY_CODES = graphql(`mutation RegenerateRecoveryCodes($code: String!) { regenerateRecoveryCodes(code: $code) { codes } }`);
export type RegenerateRecoveryCodesData = ResultOf<typeof REGENERATE_RECOVERY_CODES>;

export const CHANGE_PASSWORD = graphql(
  `mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) { ...ViewerFields } }`,
  [VIEWER_FIELDS],
);
export type ChangePasswordData = ResultOf<typeof CHANGE_PASSWORD>;

export const UPCOMING_HEARINGS = graphql(`
  query UpcomingHearings($from: Time!, $to: Time!) {
    hearings(from: $from, to: $to, first: 100) {
      nodes { id kind status startsAt endsAt courtRoom movedCount dossier { id reference title } }
      pageInfo { hasNextPage endCursor }
    }
  }`);
export type UpcomingHearingsData = ResultOf<typeof UPCOMING_HEARINGS>;

export const DOSSIERS = graphql(`
  query Dossiers($first: Int!, $after: String, $filter: DossierFilter) {
    dossiers(first: $first, after: $after, filter: $filter, orderBy: { field: UPDATED_AT, direction: DESC }) {
      nodes { id reference title status themes openedOn nextHearing { id startsAt } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }`);
export type DossierFilter = SchemaType<'DossierFilter'>;
export type DossiersData = ResultOf<typeof DOSSIERS>;

export const PROCEEDING_FIELDS = graphql(
  `fragment ProceedingFields on Proceeding { id stage courtKind courtName chamber docketNumber startedOn endedOn status outcome }`,
);
// The consent a standing relies on is not asked for here: reading a consent is
// recorded in the victim's access report, so only the consent screens read them.
export const STANDING_FIELDS = graphql(`
  fragment StandingFields on CivilPartyStanding {
    id organisation { id name } constitutedOn mode legalBasis admissibility admissibilityDecidedOn damagesClaimedCents damagesAwardedCents withdrawnOn
  }`);
export type StandingRow = ResultOf<typeof STANDING_FIELDS>;

export const CHARGE_FIELDS = graphql(
  `fragment ChargeFields on Charge { id article articleHeading articleVersionDate wording aggravatingCircumstances participation retainedBy retainedOn requalificationReason current }`,
);
export type ChargeRow = ResultOf<typeof CHARGE_FIELDS>;

export const DOSSIER = graphql(
  `
  query Dossier($id: ID!) {
    dossier(id: $id) {
      id reference title summary themes status openedOn closedOn closingReason organisation { id name }
      parquetNumber instructionNumber platforms countries retentionUntil
      victims { id pseudonym ageAtFacts country hasIdentity }
      defendants { id pseudonym role country hasIdentity }
      charges { ...ChargeFields defendant { id pseudonym } history { ...ChargeFields } }
      proceedings { ...ProceedingFields previous { id } next { id } civilPartyStandings { ...StandingFields } }
      hearings { id kind status startsAt endsAt courtRoom attendees movedCount outcomeNote cancelReason proceeding { id } }
    }
  }`,
  [CHARGE_FIELDS, PROCEEDING_FIELDS, STANDING_FIELDS],
);
export type DossierData = ResultOf<typeof DOSSIER>;
export type ProceedingRow = NonNullable<DossierData['dossier']>['proceedings'][number];
/** A hearing as the dossier page shows it, with why it was cancelled or what happened. */
export type DossierHearingRow = NonNullable<DossierData['dossier']>['hearings'][number];

// ---- Dossier editing (legal staff) ----

export const DOSSIER_FIELDS = graphql(`
  query DossierFields($id: ID!) {
    dossier(id: $id) {
      id reference title summary themes openedOn parquetNumber instructionNumber platforms countries retentionUntil
    }
  }`);
export type DossierFieldsData = ResultOf<typeof DOSSIER_FIELDS>;

export const CREATE_DOSSIER = graphql(`
  mutation CreateDossier($input: CreateDossierInput!) { createDossier(input: $input) { id } }`);
export type CreateDossierData = ResultOf<typeof CREATE_DOSSIER>;

export const UPDATE_DOSSIER = graphql(`
  mutation UpdateDossier($id: ID!, $input: UpdateDossierInput!) { updateDossier(id: $id, input: $input) { id updatedAt } }`);

export const CLOSE_DOSSIER = graphql(`
  mutation CloseDossier($id: ID!, $input: CloseDossierInput!) { closeDossier(id: $id, input: $input) { id status closedOn closingReason } }`);

export const REOPEN_DOSSIER = graphql(`
  mutation ReopenDossier($id: ID!) { reopenDossier(id: $id) { id status closedOn closingReason } }`);

export const ADD_VICTIM = graphql(`
  mutation AddVictim($input: AddVictimInput!) { addVictim(input: $input) { id pseudonym } }`);

export const ADD_DEFENDANT = graphql(`
  mutation AddDefendant($input: AddDefendantInput!) { addDefendant(input: $input) { id pseudonym } }`);

// Only hasIdentity is asked back: the identity written is never kept in the cache.
export const SET_VICTIM_IDENTITY = graphql(`
  mutation SetVictimIdentity($id: ID!, $input: IdentityInput!) { setVictimIdentity(id: $id, input: $input) { id hasIdentity } }`);

export const UPDATE_DEFENDANT = graphql(`
  mutation UpdateDefendant($id: ID!, $input: UpdateDefendantInput!) { updateDefendant(id: $id, input: $input) { id pseudonym role country } }`);

export const SET_DEFENDANT_IDENTITY = graphql(`
  mutation SetDefendantIdentity($id: ID!, $input: IdentityInput!) { setDefendantIdentity(id: $id, input: $input) { id hasIdentity } }`);

// ---- Consents (CPP 2-22); each read is in the victim's access report ----

export const CONSENT_FIELDS = graphql(`fragment ConsentFields on Consent { id givenBy givenOn scope reference withdrawnOn }`);
export type ConsentRow = ResultOf<typeof CONSENT_FIELDS>;

export const VICTIM_CONSENTS = graphql(`query VictimConsents($id: ID!) { victim(id: $id) { id consents { ...ConsentFields } } }`, [CONSENT_FIELDS]);
export type VictimConsentsData = ResultOf<typeof VICTIM_CONSENTS>;

export const DOSSIER_CONSENTS = graphql(
  `query DossierConsents($id: ID!) { dossier(id: $id) { id victims { id pseudonym consents { ...ConsentFields } } } }`,
  [CONSENT_FIELDS],
);
export type DossierConsentsData = ResultOf<typeof DOSSIER_CONSENTS>;

export const RECORD_CONSENT = graphql(
  `mutation RecordConsent($input: RecordConsentInput!) { recordConsent(input: $input) { ...ConsentFields } }`,
  [CONSENT_FIELDS],
);
export const WITHDRAW_CONSENT = graphql(
  `mutation WithdrawConsent($id: ID!, $withdrawnOn: Date!) { withdrawConsent(id: $id, withdrawnOn: $withdrawnOn) { ...ConsentFields } }`,
  [CONSENT_FIELDS],
);

// ---- Proceedings and civil-party standing (legal staff) ----

export const OPEN_PROCEEDING = graphql(
  `mutation OpenProceeding($input: OpenProceedingInput!) { openProceeding(input: $input) { ...ProceedingFields } }`,
  [PROCEEDING_FIELDS],
);
export const UPDATE_PROCEEDING = graphql(
  `mutation UpdateProceeding($id: ID!, $input: UpdateProceedingInput!) { updateProceeding(id: $id, input: $input) { ...ProceedingFields } }`,
  [PROCEEDING_FIELDS],
);
export const CLOSE_PROCEEDING = graphql(
  `mutation CloseProceeding($id: ID!, $input: CloseProceedingInput!) { closeProceeding(id: $id, input: $input) { ...ProceedingFields } }`,
  [PROCEEDING_FIELDS],
);
export const ADVANCE_PROCEEDING = graphql(
  `mutation AdvanceProceeding($id: ID!, $input: AdvanceProceedingInput!) { advanceProceeding(id: $id, input: $input) { ...ProceedingFields previous { id } } }`,
  [PROCEEDING_FIELDS],
);
export const CONSTITUTE_CIVIL_PARTY = graphql(
  `mutation ConstituteCivilParty($input: ConstituteCivilPartyInput!) { constituteCivilParty(input: $input) { ...StandingFields } }`,
  [STANDING_FIELDS],
);
export const DECIDE_STANDING = graphql(
  `mutation DecideCivilPartyStanding($id: ID!, $input: DecideStandingInput!) { decideCivilPartyStanding(id: $id, input: $input) { ...StandingFields } }`,
  [STANDING_FIELDS],
);
/** The organisation withdraws its constitution (désistement), once. */
export const WITHDRAW_STANDING = graphql(
  `mutation WithdrawCivilParty($id: ID!, $input: WithdrawStandingInput!) { withdrawCivilParty(id: $id, input: $input) { ...StandingFields } }`,
  [STANDING_FIELDS],
);

/** The legal bases the signed-in user's organisation relies on. */
export const ORGANISATION_STANDING = graphql(`query OrganisationStanding($id: ID!) { organisation(id: $id) { id standingArticles } }`);
export type OrganisationStandingData = ResultOf<typeof ORGANISATION_STANDING>;

export const REVEAL_IDENTITY = graphql(`
  mutation RevealIdentity($personId: ID!, $reason: String!) {
    revealIdentity(personId: $personId, reason: $reason) {
      legalName birthDate address phone email legalRepresentative adHocAdministrator
    }
  }`);
export type RevealIdentityData = ResultOf<typeof REVEAL_IDENTITY>;
export type Identity = RevealIdentityData['revealIdentity'];

export const PENAL_ARTICLES = graphql(`query PenalArticles { penalArticles { article heading } }`);
export type PenalArticlesData = ResultOf<typeof PENAL_ARTICLES>;

export type Participation = SchemaType<'Participation'>;
export const PARTICIPATIONS: readonly Participation[] = ['AUTHOR', 'CO_AUTHOR', 'ACCOMPLICE'];
export type Authority = SchemaType<'Authority'>;
export const AUTHORITIES: readonly Authority[] = ['PROSECUTOR', 'INVESTIGATING_JUDGE', 'TRIAL_COURT', 'APPEAL_COURT', 'CASSATION_COURT'];
export const DEFENDANT_ROLES = ['RECRUITER', 'CLIENT', 'FACILITATOR', 'DISTRIBUTOR', 'ABUSER', 'OTHER'] as const satisfies readonly SchemaType<'DefendantRole'>[];
export const HEARING_KINDS = ['TRIAL', 'ADJOURNMENT', 'DELIBERATION', 'PLEADING', 'PARTY_HEARING', 'OTHER'] as const satisfies readonly SchemaType<'HearingKind'>[];

export const ADD_CHARGE = graphql(`
  mutation AddCharge($input: AddChargeInput!) { addCharge(input: $input) { id } }`);

export const REQUALIFY_CHARGE = graphql(`
  mutation RequalifyCharge($id: ID!, $input: RequalifyChargeInput!) { requalifyCharge(id: $id, input: $input) { id } }`);

export const SCHEDULE_HEARING = graphql(`
  mutation ScheduleHearing($input: ScheduleHearingInput!) { scheduleHearing(input: $input) { id startsAt } }`);

export const HEARING_STATE = graphql(`fragment HearingState on Hearing { id status startsAt endsAt courtRoom movedCount outcomeNote cancelReason }`);

export const MOVE_HEARING = graphql(
  `mutation MoveHearing($id: ID!, $input: MoveHearingInput!) { moveHearing(id: $id, input: $input) { ...HearingState } }`,
  [HEARING_STATE],
);

export const CANCEL_HEARING = graphql(
  `mutation CancelHearing($id: ID!, $reason: String!) { cancelHearing(id: $id, reason: $reason) { ...HearingState } }`,
  [HEARING_STATE],
);

export const RECORD_HEARING_OUTCOME = graphql(
  `mutation RecordHearingOutcome($id: ID!, $note: String!) { recordHearingOutcome(id: $id, note: $note) { ...HearingState } }`,
  [HEARING_STATE],
);

// ---- Evidence (legal staff, assigned lawyers) ----

export type EvidenceKind = SchemaType<'EvidenceKind'>;
export const EVIDENCE_KINDS: readonly EvidenceKind[] = ['COMPLAINT', 'POLICE_REPORT', 'PLEADING', 'DECISION', 'EXPERT_REPORT', 'CORRESPONDENCE', 'OTHER'];
export type ReportChannel = SchemaType<'ReportChannel'>;
export const REPORT_CHANNELS: readonly ReportChannel[] = ['PHAROS', 'POINT_DE_CONTACT', 'PLATFORM', 'POLICE', 'OTHER'];

export const DOSSIER_EVIDENCE = graphql(`
  query DossierEvidence($id: ID!) {
    dossier(id: $id) {
      id
      evidence { id kind title description documentDate fileName status contentType size sha256 storedAt createdAt downloadPath uploadPath }
      contentReferences {
        id url platform sha256 md5 perceptualHash description observedOn createdAt
        reports { id channel reference reportedOn outcome }
      }
    }
  }`);
export type DossierEvidenceData = ResultOf<typeof DOSSIER_EVIDENCE>;
export type EvidenceRow = NonNullable<DossierEvidenceData['dossier']>['evidence'][number];
export type ContentReferenceRow = NonNullable<DossierEvidenceData['dossier']>['contentReferences'][number];

export const CREATE_EVIDENCE = graphql(`
  mutation CreateEvidence($input: CreateEvidenceInput!) { createEvidence(input: $input) { id status uploadPath } }`);
export type CreateEvidenceData = ResultOf<typeof CREATE_EVIDENCE>;

export const ADD_CONTENT_REFERENCE = graphql(`
  mutation AddContentReference($input: AddContentReferenceInput!) { addContentReference(input: $input) { id } }`);

export const RECORD_CONTENT_REPORT = graphql(`
  mutation RecordContentReport($input: RecordContentReportInput!) { recordContentReport(input: $input) { id } }`);

// ---- Calendar ----

export const CALENDAR_HEARINGS = graphql(`
  query CalendarHearings($from: Time!, $to: Time!, $after: String) {
    hearings(from: $from, to: $to, first: 200, after: $after, includeCancelled: true) {
      nodes { id kind status startsAt endsAt courtRoom movedCount dossier { id reference title } }
      pageInfo { hasNextPage endCursor }
    }
  }`);
export type CalendarHearingsData = ResultOf<typeof CALENDAR_HEARINGS>;

// Open deadlines (échéances) across the caller's dossiers due in [from, to]
// (calendar days, both included): the home page's next 30 days and the
// calendar's period. Only for roles with case:read.
export const UPCOMING_DEADLINES = graphql(`
  query UpcomingDeadlines($from: Date!, $to: Date!) {
    deadlines(from: $from, to: $to, first: 100) {
      nodes { id dueOn title status rule { id title } dossier { id reference title } }
      pageInfo { hasNextPage endCursor }
    }
  }`);
export type UpcomingDeadlinesData = ResultOf<typeof UPCOMING_DEADLINES>;

export const CALENDAR_DEADLINES = graphql(`
  query CalendarDeadlines($from: Date!, $to: Date!) {
    deadlines(from: $from, to: $to, first: 200) {
      nodes { id dueOn title status rule { id title } dossier { id reference title } }
      pageInfo { hasNextPage endCursor }
    }
  }`);
export type CalendarDeadlinesData = ResultOf<typeof CALENDAR_DEADLINES>;

// ---- Administration ----

export const ROLES: readonly Role[] = ['ADMIN', 'LEGAL_STAFF', 'PARTNER_LAWYER', 'ADVOCACY', 'DPO'];

export const USER_FIELDS = graphql(`
  fragment UserFields on User {
    id email displayName roles disabled totpEnrolled mustChangePassword lastSignInAt assignments { dossierId reference assignedAt }
  }`);
export type UserRow = ResultOf<typeof USER_FIELDS>;

export const USERS = graphql(
  `
  query Users($first: Int!, $after: String, $filter: UserFilter) {
    users(first: $first, after: $after, filter: $filter) {
      nodes { ...UserFields }
      pageInfo { hasNextPage endCursor }
    }
  }`,
  [USER_FIELDS],
);
export type UsersData = ResultOf<typeof USERS>;

export const CREATE_USER = graphql(`mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { ...UserFields } }`, [USER_FIELDS]);
export const SET_USER_ROLES = graphql(
  `mutation SetUserRoles($id: ID!, $roles: [Role!]!) { setUserRoles(id: $id, roles: $roles) { ...UserFields } }`,
  [USER_FIELDS],
);
export const DISABLE_USER = graphql(`mutation DisableUser($id: ID!) { disableUser(id: $id) { ...UserFields } }`, [USER_FIELDS]);
export const ENABLE_USER = graphql(`mutation EnableUser($id: ID!) { enableUser(id: $id) { ...UserFields } }`, [USER_FIELDS]);
export const RESET_SECOND_FACTOR = graphql(`mutation ResetSecondFactor($id: ID!) { resetUserSecondFactor(id: $id) { ...UserFields } }`, [USER_FIELDS]);
export const RESET_PASSWORD = graphql(
  `mutation ResetPassword($id: ID!, $temporaryPassword: String!) { resetUserPassword(id: $id, temporaryPassword: $temporaryPassword) { ...UserFields } }`,
  [USER_FIELDS],
);
/** Ends every session of a user; answers how many were ended. */
export const END_USER_SESSIONS = graphql(`mutation EndUserSessions($id: ID!) { endUserSessions(id: $id) }`);

export const ADMIN_DOSSIER_FIELDS = graphql(`
  fragment AdminDossierFields on Dossier {
    id reference title status sharedWith { id name } assignees { userId displayName roles assignedAt }
  }`);
export type AdminDossier = ResultOf<typeof ADMIN_DOSSIER_FIELDS>;
export const ADMIN_DOSSIER_QUERY = graphql(`query AdminDossier($id: ID!) { dossier(id: $id) { ...AdminDossierFields } }`, [ADMIN_DOSSIER_FIELDS]);
export type AdminDossierData = ResultOf<typeof ADMIN_DOSSIER_QUERY>;
export const ASSIGN_DOSSIER = graphql(
  `mutation AssignDossier($dossierId: ID!, $userId: ID!) { assignDossier(dossierId: $dossierId, userId: $userId) { ...AdminDossierFields } }`,
  [ADMIN_DOSSIER_FIELDS],
);
export const UNASSIGN_DOSSIER = graphql(
  `mutation UnassignDossier($dossierId: ID!, $userId: ID!) { unassignDossier(dossierId: $dossierId, userId: $userId) { ...AdminDossierFields } }`,
  [ADMIN_DOSSIER_FIELDS],
);
export const SHARE_DOSSIER = graphql(
  `mutation ShareDossier($dossierId: ID!, $organisationId: ID!) { shareDossier(dossierId: $dossierId, organisationId: $organisationId) { ...AdminDossierFields } }`,
  [ADMIN_DOSSIER_FIELDS],
);
export const UNSHARE_DOSSIER = graphql(
  `mutation UnshareDossier($dossierId: ID!, $organisationId: ID!) { unshareDossier(dossierId: $dossierId, organisationId: $organisationId) { ...AdminDossierFields } }`,
  [ADMIN_DOSSIER_FIELDS],
);

// ---- Data-protection officer ----

export type AuditOutcome = SchemaType<'AuditOutcome'>;
export type AuditFilter = SchemaType<'AuditFilter'>;
export const AUDIT_EVENTS = graphql(`
  query AuditEvents($filter: AuditFilter, $first: Int!, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      nodes { id occurredAt actorId actorName actorRoles action resourceType resourceIds dossierId reason outcome permission sourceIp requestId sealed }
      pageInfo { hasNextPage endCursor }
    }
  }`);
export type AuditEventsData = ResultOf<typeof AUDIT_EVENTS>;
export type AuditEventRow = AuditEventsData['auditEvents']['nodes'][number];

export const VICTIM_ACCESS_REPORT = graphql(`
  query VictimAccessReport($victimId: ID!, $from: Time, $to: Time) {
    victimAccessReport(victimId: $victimId, from: $from, to: $to) {
      pseudonym dossierReference generatedAt
      entries { occurredAt who roles what outcome reason }
    }
  }`);
export type VictimAccessReportData = ResultOf<typeof VICTIM_ACCESS_REPORT>;

/** Crypto-shredding of a dossier's files and identities (DPO only, irreversible; the reason is audited). */
export const ERASE_DOSSIER_CONTENT = graphql(`
  mutation EraseDossierContent($dossierId: ID!, $reason: String!) {
    eraseDossierContent(dossierId: $dossierId, reason: $reason) { dossierId erasedAt evidenceErased identitiesErased }
  }`);
export type DossierErasure = ResultOf<typeof ERASE_DOSSIER_CONTENT>['eraseDossierContent'];

export const USER_QUERY = graphql(`query User($id: ID!) { user(id: $id) { ...UserFields } }`, [USER_FIELDS]);
export type UserData = ResultOf<typeof USER_QUERY>;

// Calendar subscription links (Mon compte): the URL is returned once, by the creation.
export const CALENDAR_FEEDS = graphql(`query CalendarFeeds { calendarFeeds { id createdAt lastUsedAt } }`);
export const CREATE_CALENDAR_FEED = graphql(`mutation CreateCalendarFeed { createCalendarFeed { feed { id createdAt } url } }`);
export const REVOKE_CALENDAR_FEED = graphql(`mutation RevokeCalendarFeed($id: ID!) { revokeCalendarFeed(id: $id) }`);
