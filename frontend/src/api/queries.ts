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

const CHARGE = `id article articleHeading wording participation retainedBy retainedOn requalificationReason current`;

export const DOSSIER = gql`
  query Dossier($id: ID!) {
    dossier(id: $id) {
      id reference title summary themes status openedOn closedOn closingReason
      parquetNumber instructionNumber platforms countries
      victims { id pseudonym ageAtFacts country }
      defendants { id pseudonym role country }
      charges { ${CHARGE} defendant { id pseudonym } history { ${CHARGE} } }
      proceedings { id stage courtKind courtName chamber docketNumber startedOn endedOn status outcome }
      hearings { id kind status startsAt endsAt courtRoom movedCount }
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
    victims: { id: string; pseudonym: string; ageAtFacts: number | null; country: string }[];
    defendants: { id: string; pseudonym: string; role: string; country: string }[];
    charges: (ChargeRow & { defendant: { id: string; pseudonym: string } | null; history: ChargeRow[] })[];
    proceedings: {
      id: string;
      stage: string;
      courtKind: string;
      courtName: string;
      chamber: string;
      docketNumber: string;
      startedOn: string;
      endedOn: string | null;
      status: string;
      outcome: string;
    }[];
    hearings: HearingRow[];
  } | null;
}
