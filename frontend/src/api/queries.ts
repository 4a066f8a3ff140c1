// The operations of this slice and hand-written types of their results
// (graph/schema/*.graphqls is the contract).
import { gql } from 'urql';

export type LoginStatus = 'SIGNED_IN' | 'TOTP_ENROLLMENT_REQUIRED' | 'PASSWORD_CHANGE_REQUIRED';
export type Role = 'ADMIN' | 'LEGAL_STAFF' | 'PARTNER_LAWYER' | 'ADVOCACY' | 'DPO';
export type Theme = 'LIVE_STREAMING' | 'GROOMING' | 'SEXTORTION' | 'ABUSE_IMAGES' | 'TRAFFICKING' | 'CHILD_PROSTITUTION';
export const THEMES: readonly Theme[] = ['LIVE_STREAMING', 'GROOMING', 'SEXTORTION', 'ABUSE_IMAGES', 'TRAFFICKING', 'CHILD_PROSTITUTION'];
export type DossierStatus = 'OPEN' | 'CLOSED';
export const DOSSIER_STATUSES: readonly DossierStatus[] = ['OPEN', 'CLOSED'];

export interface Viewer {
  id: string;
  displayName: string;
  roles: Role[];
  superadmin: boolean;
  status: LoginStatus;
  organisation: { id: string; name: string } | null;
}

const VIEWER = `id displayName roles superadmin status organisation { id name }`;

export const ME = gql`query Me { me { ${VIEWER} } }`;
export interface MeData { me: Viewer | null }

export const LOGIN = gql`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      status
      viewer { ${VIEWER} }
      totpEnrollment { secret qrCodePng }
    }
  }`;
export interface LoginData {
  login: { status: LoginStatus; viewer: Viewer; totpEnrollment: { secret: string; qrCodePng: string } | null };
}

export const LOGOUT = gql`mutation Logout { logout }`;

export const CONFIRM_TOTP = gql`
  mutation ConfirmTotp($code: String!) { confirmTotpEnrollment(code: $code) { codes viewer { ${VIEWER} } } }`;
export interface ConfirmTotpData { confirmTotpEnrollment: { codes: string[]; viewer: Viewer } }

export const CHANGE_PASSWORD = gql`
  mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) { ${VIEWER} } }`;
export interface ChangePasswordData { changePassword: Viewer }

export interface HearingRow {
  id: string;
  kind: string;
  status: string;
  startsAt: string;
  endsAt: string | null;
  courtRoom: string;
  movedCount: number;
}

/** A hearing as the dossier page shows it, with why it was cancelled or what happened. */
export interface DossierHearingRow extends HearingRow {
  outcomeNote: string;
  cancelReason: string;
}

export const UPCOMING_HEARINGS = gql`
  query UpcomingHearings($from: Time!, $to: Time!) {
    hearings(from: $from, to: $to, first: 100) {
      nodes { id kind status startsAt endsAt courtRoom movedCount dossier { id reference title } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
export interface UpcomingHearingsData {
  hearings: {
    nodes: (HearingRow & { dossier: { id: string; reference: string; title: string } })[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export const DOSSIERS = gql`
  query Dossiers($first: Int!, $after: String, $filter: DossierFilter) {
    dossiers(first: $first, after: $after, filter: $filter, orderBy: { field: UPDATED_AT, direction: DESC }) {
      nodes { id reference title status themes openedOn nextHearing { id startsAt } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }`;
export interface DossierFilter { text?: string; status?: DossierStatus; themes?: Theme[] }
export interface DossiersData {
  dossiers: {
    nodes: {
      id: string;
      reference: string;
      title: string;
      status: DossierStatus;
      themes: Theme[];
      openedOn: string;
      nextHearing: { id: string; startsAt: string } | null;
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    totalCount: number;
  };
}

const PROCEEDING = `id stage courtKind courtName chamber docketNumber startedOn endedOn status outcome`;
// The consent a standing relies on is not asked for here: reading a consent is
// recorded in the victim's access report, so only the consent screens read them.
const STANDING = `id organisation { id name } constitutedOn mode legalBasis admissibility admissibilityDecidedOn damagesClaimedCents damagesAwardedCents`;

const CHARGE = `id article articleHeading wording participation retainedBy retainedOn requalificationReason current`;

export const DOSSIER = gql`
  query Dossier($id: ID!) {
    dossier(id: $id) {
      id reference title summary themes status openedOn closedOn closingReason
      parquetNumber instructionNumber platforms countries retentionUntil
      victims { id pseudonym ageAtFacts country hasIdentity }
      defendants { id pseudonym role country hasIdentity }
      charges { ${CHARGE} defendant { id pseudonym } history { ${CHARGE} } }
      proceedings { ${PROCEEDING} previous { id } next { id } civilPartyStandings { ${STANDING} } }
      hearings { id kind status startsAt endsAt courtRoom movedCount outcomeNote cancelReason }
    }
  }`;
export interface ChargeRow {
  id: string;
  article: string;
  articleHeading: string;
  wording: string;
  participation: string;
  retainedBy: string;
  retainedOn: string;
  requalificationReason: string;
  current: boolean;
}
export interface StandingRow {
  id: string;
  organisation: { id: string; name: string };
  constitutedOn: string;
  mode: string;
  legalBasis: string;
  admissibility: 'PENDING' | 'ADMITTED' | 'REJECTED';
  admissibilityDecidedOn: string | null;
  damagesClaimedCents: number | null;
  damagesAwardedCents: number | null;
}
export interface ProceedingRow {
  id: string;
  stage: string;
  courtKind: string;
  courtName: string;
  chamber: string;
  docketNumber: string;
  startedOn: string;
  endedOn: string | null;
  status: 'ONGOING' | 'CLOSED';
  outcome: string;
  previous: { id: string } | null;
  next: { id: string } | null;
  civilPartyStandings: StandingRow[];
}
export interface DossierData {
  dossier: {
    id: string;
    reference: string;
    title: string;
    summary: string;
    themes: Theme[];
    status: DossierStatus;
    openedOn: string;
    closedOn: string | null;
    closingReason: string;
    parquetNumber: string;
    instructionNumber: string;
    platforms: string[];
    countries: string[];
    retentionUntil: string | null;
    victims: { id: string; pseudonym: string; ageAtFacts: number | null; country: string; hasIdentity: boolean }[];
    defendants: { id: string; pseudonym: string; role: string; country: string; hasIdentity: boolean }[];
    charges: (ChargeRow & { defendant: { id: string; pseudonym: string } | null; history: ChargeRow[] })[];
    proceedings: ProceedingRow[];
    hearings: DossierHearingRow[];
  } | null;
}

// ---- Dossier editing (legal staff) ----

export const DOSSIER_FIELDS = gql`
  query DossierFields($id: ID!) {
    dossier(id: $id) {
      id reference title summary themes openedOn parquetNumber instructionNumber platforms countries retentionUntil
    }
  }`;
export interface DossierFieldsData {
  dossier: {
    id: string;
    reference: string;
    title: string;
    summary: string;
    themes: Theme[];
    openedOn: string;
    parquetNumber: string;
    instructionNumber: string;
    platforms: string[];
    countries: string[];
    retentionUntil: string | null;
  } | null;
}

export const CREATE_DOSSIER = gql`
  mutation CreateDossier($input: CreateDossierInput!) { createDossier(input: $input) { id } }`;
export interface CreateDossierData { createDossier: { id: string } }

export const UPDATE_DOSSIER = gql`
  mutation UpdateDossier($id: ID!, $input: UpdateDossierInput!) { updateDossier(id: $id, input: $input) { id updatedAt } }`;

export const CLOSE_DOSSIER = gql`
  mutation CloseDossier($id: ID!, $input: CloseDossierInput!) { closeDossier(id: $id, input: $input) { id status closedOn closingReason } }`;

export const REOPEN_DOSSIER = gql`
  mutation ReopenDossier($id: ID!) { reopenDossier(id: $id) { id status closedOn closingReason } }`;

export const ADD_VICTIM = gql`
  mutation AddVictim($input: AddVictimInput!) { addVictim(input: $input) { id pseudonym } }`;

export const ADD_DEFENDANT = gql`
  mutation AddDefendant($input: AddDefendantInput!) { addDefendant(input: $input) { id pseudonym } }`;

// Only hasIdentity is asked back: the identity written is never kept in the cache.
export const SET_VICTIM_IDENTITY = gql`
  mutation SetVictimIdentity($id: ID!, $input: IdentityInput!) { setVictimIdentity(id: $id, input: $input) { id hasIdentity } }`;

export const UPDATE_DEFENDANT = gql`
  mutation UpdateDefendant($id: ID!, $input: UpdateDefendantInput!) { updateDefendant(id: $id, input: $input) { id pseudonym role country } }`;

export const SET_DEFENDANT_IDENTITY = gql`
  mutation SetDefendantIdentity($id: ID!, $input: IdentityInput!) { setDefendantIdentity(id: $id, input: $input) { id hasIdentity } }`;

// ---- Consents (CPP 2-22); each read is in the victim's access report ----

const CONSENT = `id givenBy givenOn scope reference withdrawnOn`;
export interface ConsentRow {
  id: string;
  givenBy: 'VICTIM' | 'LEGAL_REPRESENTATIVE' | 'AD_HOC_ADMINISTRATOR';
  givenOn: string;
  scope: string;
  reference: string;
  withdrawnOn: string | null;
}
export const VICTIM_CONSENTS = gql`query VictimConsents($id: ID!) { victim(id: $id) { id consents { ${CONSENT} } } }`;
export interface VictimConsentsData { victim: { id: string; consents: ConsentRow[] } | null }

export const DOSSIER_CONSENTS = gql`query DossierConsents($id: ID!) { dossier(id: $id) { id victims { id pseudonym consents { ${CONSENT} } } } }`;
export interface DossierConsentsData { dossier: { id: string; victims: { id: string; pseudonym: string; consents: ConsentRow[] }[] } | null }

export const RECORD_CONSENT = gql`mutation RecordConsent($input: RecordConsentInput!) { recordConsent(input: $input) { ${CONSENT} } }`;
export const WITHDRAW_CONSENT = gql`mutation WithdrawConsent($id: ID!, $withdrawnOn: Date!) { withdrawConsent(id: $id, withdrawnOn: $withdrawnOn) { ${CONSENT} } }`;

// ---- Proceedings and civil-party standing (legal staff) ----

export const OPEN_PROCEEDING = gql`mutation OpenProceeding($input: OpenProceedingInput!) { openProceeding(input: $input) { ${PROCEEDING} } }`;
export const UPDATE_PROCEEDING = gql`
  mutation UpdateProceeding($id: ID!, $input: UpdateProceedingInput!) { updateProceeding(id: $id, input: $input) { ${PROCEEDING} } }`;
export const CLOSE_PROCEEDING = gql`
  mutation CloseProceeding($id: ID!, $input: CloseProceedingInput!) { closeProceeding(id: $id, input: $input) { ${PROCEEDING} } }`;
export const ADVANCE_PROCEEDING = gql`
  mutation AdvanceProceeding($id: ID!, $input: AdvanceProceedingInput!) { advanceProceeding(id: $id, input: $input) { ${PROCEEDING} previous { id } } }`;
export const CONSTITUTE_CIVIL_PARTY = gql`
  mutation ConstituteCivilParty($input: ConstituteCivilPartyInput!) { constituteCivilParty(input: $input) { ${STANDING} } }`;
export const DECIDE_STANDING = gql`
  mutation DecideCivilPartyStanding($id: ID!, $input: DecideStandingInput!) { decideCivilPartyStanding(id: $id, input: $input) { ${STANDING} } }`;

/** The legal bases the signed-in user's organisation relies on. */
export const ORGANISATION_STANDING = gql`query OrganisationStanding($id: ID!) { organisation(id: $id) { id standingArticles } }`;
export interface OrganisationStandingData { organisation: { id: string; standingArticles: string[] } | null }

export const REVEAL_IDENTITY = gql`
  mutation RevealIdentity($personId: ID!, $reason: String!) {
    revealIdentity(personId: $personId, reason: $reason) {
      legalName birthDate address phone email legalRepresentative adHocAdministrator
    }
  }`;
export interface Identity {
  legalName: string;
  birthDate: string | null;
  address: string;
  phone: string;
  email: string;
  legalRepresentative: string;
  adHocAdministrator: string;
}
export interface RevealIdentityData { revealIdentity: Identity }

export const PENAL_ARTICLES = gql`query PenalArticles { penalArticles { article heading } }`;
export interface PenalArticlesData { penalArticles: { article: string; heading: string }[] }

export type Participation = 'AUTHOR' | 'CO_AUTHOR' | 'ACCOMPLICE';
export const PARTICIPATIONS: readonly Participation[] = ['AUTHOR', 'CO_AUTHOR', 'ACCOMPLICE'];
export type Authority = 'PROSECUTOR' | 'INVESTIGATING_JUDGE' | 'TRIAL_COURT' | 'APPEAL_COURT' | 'CASSATION_COURT';
export const AUTHORITIES: readonly Authority[] = ['PROSECUTOR', 'INVESTIGATING_JUDGE', 'TRIAL_COURT', 'APPEAL_COURT', 'CASSATION_COURT'];
export const DEFENDANT_ROLES = ['RECRUITER', 'CLIENT', 'FACILITATOR', 'DISTRIBUTOR', 'ABUSER', 'OTHER'] as const;
export const HEARING_KINDS = ['TRIAL', 'ADJOURNMENT', 'DELIBERATION', 'PLEADING', 'PARTY_HEARING', 'OTHER'] as const;

export const ADD_CHARGE = gql`
  mutation AddCharge($input: AddChargeInput!) { addCharge(input: $input) { id } }`;

export const REQUALIFY_CHARGE = gql`
  mutation RequalifyCharge($id: ID!, $input: RequalifyChargeInput!) { requalifyCharge(id: $id, input: $input) { id } }`;

export const SCHEDULE_HEARING = gql`
  mutation ScheduleHearing($input: ScheduleHearingInput!) { scheduleHearing(input: $input) { id startsAt } }`;

const HEARING_STATE = `id status startsAt endsAt courtRoom movedCount outcomeNote cancelReason`;

export const MOVE_HEARING = gql`
  mutation MoveHearing($id: ID!, $input: MoveHearingInput!) { moveHearing(id: $id, input: $input) { ${HEARING_STATE} } }`;

export const CANCEL_HEARING = gql`
  mutation CancelHearing($id: ID!, $reason: String!) { cancelHearing(id: $id, reason: $reason) { ${HEARING_STATE} } }`;

export const RECORD_HEARING_OUTCOME = gql`
  mutation RecordHearingOutcome($id: ID!, $note: String!) { recordHearingOutcome(id: $id, note: $note) { ${HEARING_STATE} } }`;

// ---- Evidence (legal staff, assigned lawyers) ----

export type EvidenceKind = 'COMPLAINT' | 'POLICE_REPORT' | 'PLEADING' | 'DECISION' | 'EXPERT_REPORT' | 'CORRESPONDENCE' | 'OTHER';
export const EVIDENCE_KINDS: readonly EvidenceKind[] = ['COMPLAINT', 'POLICE_REPORT', 'PLEADING', 'DECISION', 'EXPERT_REPORT', 'CORRESPONDENCE', 'OTHER'];
export type ReportChannel = 'PHAROS' | 'POINT_DE_CONTACT' | 'PLATFORM' | 'POLICE' | 'OTHER';
export const REPORT_CHANNELS: readonly ReportChannel[] = ['PHAROS', 'POINT_DE_CONTACT', 'PLATFORM', 'POLICE', 'OTHER'];

export const DOSSIER_EVIDENCE = gql`
  query DossierEvidence($id: ID!) {
    dossier(id: $id) {
      id
      evidence { id kind title description documentDate fileName status contentType size sha256 storedAt createdAt downloadPath uploadPath }
      contentReferences {
        id url platform sha256 md5 perceptualHash description observedOn createdAt
        reports { id channel reference reportedOn outcome }
      }
    }
  }`;
export interface EvidenceRow {
  id: string;
  kind: EvidenceKind;
  title: string;
  description: string;
  documentDate: string | null;
  fileName: string;
  status: 'PENDING' | 'STORED' | 'ERASED';
  contentType: string;
  size: number | null;
  sha256: string | null;
  storedAt: string | null;
  createdAt: string;
  downloadPath: string | null;
  uploadPath: string | null;
}
export interface ContentReferenceRow {
  id: string;
  url: string;
  platform: string;
  sha256: string;
  md5: string;
  perceptualHash: string;
  description: string;
  observedOn: string | null;
  createdAt: string;
  reports: { id: string; channel: ReportChannel; reference: string; reportedOn: string; outcome: string }[];
}
export interface DossierEvidenceData {
  dossier: { id: string; evidence: EvidenceRow[]; contentReferences: ContentReferenceRow[] } | null;
}

export const CREATE_EVIDENCE = gql`
  mutation CreateEvidence($input: CreateEvidenceInput!) { createEvidence(input: $input) { id status uploadPath } }`;
export interface CreateEvidenceData { createEvidence: { id: string; status: string; uploadPath: string | null } }

export const ADD_CONTENT_REFERENCE = gql`
  mutation AddContentReference($input: AddContentReferenceInput!) { addContentReference(input: $input) { id } }`;

export const RECORD_CONTENT_REPORT = gql`
  mutation RecordContentReport($input: RecordContentReportInput!) { recordContentReport(input: $input) { id } }`;

// ---- Calendar ----

export const CALENDAR_HEARINGS = gql`
  query CalendarHearings($from: Time!, $to: Time!, $after: String) {
    hearings(from: $from, to: $to, first: 200, after: $after, includeCancelled: true) {
      nodes { id kind status startsAt endsAt courtRoom movedCount dossier { id reference title } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
export type CalendarHearingsData = UpcomingHearingsData;

// ---- Administration ----

export const ROLES: readonly Role[] = ['ADMIN', 'LEGAL_STAFF', 'PARTNER_LAWYER', 'ADVOCACY', 'DPO'];

const USER = `id email displayName roles disabled totpEnrolled mustChangePassword lastSignInAt assignments { dossierId reference assignedAt }`;
export interface UserRow {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  totpEnrolled: boolean;
  mustChangePassword: boolean;
  lastSignInAt: string | null;
  assignments: { dossierId: string; reference: string; assignedAt: string }[];
}

export const USERS = gql`
  query Users($first: Int!, $after: String, $filter: UserFilter) {
    users(first: $first, after: $after, filter: $filter) {
      nodes { ${USER} }
      pageInfo { hasNextPage endCursor }
    }
  }`;
export interface UsersData { users: { nodes: UserRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }

export const CREATE_USER = gql`mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { ${USER} } }`;
export const SET_USER_ROLES = gql`mutation SetUserRoles($id: ID!, $roles: [Role!]!) { setUserRoles(id: $id, roles: $roles) { ${USER} } }`;
export const DISABLE_USER = gql`mutation DisableUser($id: ID!) { disableUser(id: $id) { ${USER} } }`;
export const ENABLE_USER = gql`mutation EnableUser($id: ID!) { enableUser(id: $id) { ${USER} } }`;
export const RESET_SECOND_FACTOR = gql`mutation ResetSecondFactor($id: ID!) { resetUserSecondFactor(id: $id) { ${USER} } }`;
export const RESET_PASSWORD = gql`
  mutation ResetPassword($id: ID!, $temporaryPassword: String!) { resetUserPassword(id: $id, temporaryPassword: $temporaryPassword) { ${USER} } }`;

const ADMIN_DOSSIER = `id reference title status sharedWith { id name } assignees { userId displayName roles assignedAt }`;
export const ADMIN_DOSSIER_QUERY = gql`query AdminDossier($id: ID!) { dossier(id: $id) { ${ADMIN_DOSSIER} } }`;
export interface AdminDossier {
  id: string;
  reference: string;
  title: string;
  status: DossierStatus;
  sharedWith: { id: string; name: string }[];
  assignees: { userId: string; displayName: string; roles: Role[]; assignedAt: string }[];
}
export interface AdminDossierData { dossier: AdminDossier | null }
export const ASSIGN_DOSSIER = gql`mutation AssignDossier($dossierId: ID!, $userId: ID!) { assignDossier(dossierId: $dossierId, userId: $userId) { ${ADMIN_DOSSIER} } }`;
export const UNASSIGN_DOSSIER = gql`mutation UnassignDossier($dossierId: ID!, $userId: ID!) { unassignDossier(dossierId: $dossierId, userId: $userId) { ${ADMIN_DOSSIER} } }`;
export const SHARE_DOSSIER = gql`mutation ShareDossier($dossierId: ID!, $organisationId: ID!) { shareDossier(dossierId: $dossierId, organisationId: $organisationId) { ${ADMIN_DOSSIER} } }`;
export const UNSHARE_DOSSIER = gql`mutation UnshareDossier($dossierId: ID!, $organisationId: ID!) { unshareDossier(dossierId: $dossierId, organisationId: $organisationId) { ${ADMIN_DOSSIER} } }`;

// ---- Data-protection officer ----

export type AuditOutcome = 'ALLOWED' | 'DENIED';
export interface AuditFilter {
  actorId?: string;
  resourceId?: string;
  dossierId?: string;
  action?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
}
export const AUDIT_EVENTS = gql`
  query AuditEvents($filter: AuditFilter, $first: Int!, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      nodes { id occurredAt actorId actorName actorRoles action resourceType resourceIds dossierId reason outcome permission sourceIp requestId sealed }
      pageInfo { hasNextPage endCursor }
    }
  }`;
export interface AuditEventRow {
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorName: string | null;
  actorRoles: string[];
  action: string;
  resourceType: string;
  resourceIds: string[];
  dossierId: string | null;
  reason: string;
  outcome: AuditOutcome;
  permission: string;
  sourceIp: string | null;
  requestId: string;
  sealed: boolean;
}
export interface AuditEventsData { auditEvents: { nodes: AuditEventRow[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }

export const VICTIM_ACCESS_REPORT = gql`
  query VictimAccessReport($victimId: ID!, $from: Time, $to: Time) {
    victimAccessReport(victimId: $victimId, from: $from, to: $to) {
      pseudonym dossierReference generatedAt
      entries { occurredAt who roles what outcome reason }
    }
  }`;
export interface VictimAccessReportData {
  victimAccessReport: {
    pseudonym: string;
    dossierReference: string;
    generatedAt: string;
    entries: { occurredAt: string; who: string; roles: string[]; what: string; outcome: AuditOutcome; reason: string }[];
  };
}

export const USER_QUERY = gql`query User($id: ID!) { user(id: $id) { ${USER} } }`;
export interface UserData { user: UserRow | null }
