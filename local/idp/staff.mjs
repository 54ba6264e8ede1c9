// Stand-in for the staff directory (Entra ID) that sales staff sign in with.
//
// Metadata: {origin}/staff/v2.0/.well-known/openid-configuration
// Issuer:   {origin}/staff/v2.0   (Entra style, no trailing slash)
// Endpoints under {origin}/staff/v2.0:
//   /authorize  /token  /keys (JWKS)  /logout  /userinfo  /interaction/{uid}
//
// Clients:
//   local-staff-web / local-staff-secret  authorization code + PKCE, redirect
//     URI http://(127.0.0.1|localhost):<any port>/api/StaffCallback; its ID token
//     carries name, email, preferred_username, roles (from the login page).
//   local-sales-cli / local-cli-secret    client_credentials -> JWT access token
//     (RS256, typ at+jwt) with aud api://invitations-local,
//     roles ["Invitations.Send"], name "Sam Sales", email sam.sales@gfms.example
//   local-norole-cli / local-cli-secret   same, roles [], "Nora Norole"
//
// Getting a staff API token (no `resource` or `scope` needed; the default
// resource is the API):
//   POST {origin}/staff/v2.0/token
//   Content-Type: application/x-www-form-urlencoded
//   grant_type=client_credentials&client_id=local-sales-cli&client_secret=local-cli-secret
// Optional, Entra style: scope=api://invitations-local/.default, or
// resource=api://invitations-local. Answer: {"access_token": "...", ...}.

import Provider, { errors } from 'oidc-provider';

import {
  autoConsentGrant, installRedirectPatterns, makeSigningJwk, pageHooks, randomSecret, stableId, ttl,
} from './common.mjs';
import { interactionHandler } from './interactions.mjs';

export const STAFF_BASE_PATH = '/staff/v2.0';
export const STAFF_TENANT_ID = '5a1f0000-0000-4000-8000-00000000f0f0';
export const STAFF_AUDIENCE = 'api://invitations-local';
export const STAFF_ROLE = 'Invitations.Send';
export const STAFF_WEB_CLIENT_ID = 'local-staff-web';
export const STAFF_WEB_CLIENT_SECRET = 'local-staff-secret';
export const SALES_CLI_CLIENT_ID = 'local-sales-cli';
export const NOROLE_CLI_CLIENT_ID = 'local-norole-cli';
export const CLI_CLIENT_SECRET = 'local-cli-secret';

const CLI_IDENTITIES = {
  [SALES_CLI_CLIENT_ID]: { name: 'Sam Sales', email: 'sam.sales@gfms.example', roles: [STAFF_ROLE] },
  [NOROLE_CLI_CLIENT_ID]: { name: 'Nora Norole', email: 'nora.norole@gfms.example', roles: [] },
};

const REDIRECT_URI = /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}\/api\/StaffCallback$/;
const POST_LOGOUT_URI = /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}\/api\/Staff\/signedout$/;

const BANNER = 'Local stand-in for the staff directory (Entra ID). Any password is accepted.';

export function createStaffProvider({ origin }) {
  const issuer = `${origin}${STAFF_BASE_PATH}`;
  /** accountId -> { email, name, roles } (filled by the login form) */
  const accounts = new Map();

  const cliClient = (clientId) => ({
    client_id: clientId,
    client_secret: CLI_CLIENT_SECRET,
    client_name: `${CLI_IDENTITIES[clientId].name} (command line)`,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_post',
  });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: STAFF_WEB_CLIENT_ID,
        client_secret: STAFF_WEB_CLIENT_SECRET,
        client_name: 'Invitation back office (local)',
        redirect_uris: ['http://127.0.0.1/api/StaffCallback', 'http://localhost/api/StaffCallback'],
        post_logout_redirect_uris: ['http://127.0.0.1/api/Staff/signedout', 'http://localhost/api/Staff/signedout'],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
      },
      cliClient(SALES_CLI_CLIENT_ID),
      cliClient(NOROLE_CLI_CLIENT_ID),
    ],
    jwks: { keys: [makeSigningJwk('staff')] },
    cookies: {
      keys: [randomSecret()],
      names: { session: 'stafflocal_session', interaction: 'stafflocal_interaction', resume: 'stafflocal_resume' },
    },
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub', 'name', 'email', 'preferred_username', 'roles', 'oid', 'tid'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    routes: {
      authorization: '/authorize',
      token: '/token',
      jwks: '/keys',
      end_session: '/logout',
      userinfo: '/userinfo',
    },
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: pageHooks(BANNER).logoutSource, postLogoutSuccessSource: pageHooks(BANNER).postLogoutSuccessSource },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // A client_credentials request without `resource` gets the API.
        defaultResource(ctx, client, oneOf) {
          if (oneOf) return oneOf;
          if (ctx.oidc.params?.grant_type === 'client_credentials') return STAFF_AUDIENCE;
          const scope = String(ctx.oidc.params?.scope || '');
          if (scope.split(' ').some((s) => s.startsWith(`${STAFF_AUDIENCE}/`))) return STAFF_AUDIENCE;
          return undefined;
        },
        getResourceServerInfo(ctx, resourceIndicator) {
          if (resourceIndicator !== STAFF_AUDIENCE) {
            throw new errors.InvalidTarget(`unknown resource, use ${STAFF_AUDIENCE}`);
          }
          return {
            scope: `${STAFF_AUDIENCE}/.default`,
            audience: STAFF_AUDIENCE,
            accessTokenTTL: 60 * 60,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
        useGrantedResource: () => true,
      },
    },
    async extraTokenClaims(ctx, token) {
      const identity = CLI_IDENTITIES[token.clientId];
      if (token.kind === 'ClientCredentials' && identity) {
        return {
          name: identity.name,
          email: identity.email,
          roles: [...identity.roles],
          oid: stableId('staff-app', token.clientId),
          tid: STAFF_TENANT_ID,
        };
      }
      return undefined;
    },
    interactions: {
      url: (ctx, interaction) => `${STAFF_BASE_PATH}/interaction/${interaction.uid}`,
    },
    loadExistingGrant: autoConsentGrant,
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: account.name,
            email: account.email,
            preferred_username: account.email,
            roles: [...account.roles],
            oid: sub,
            tid: STAFF_TENANT_ID,
          };
        },
      };
    },
    clientBasedCORS: () => false,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    renderError: pageHooks(BANNER).renderError,
    ttl,
  });

  installRedirectPatterns(provider, {
    redirect: { [STAFF_WEB_CLIENT_ID]: REDIRECT_URI },
    postLogout: { [STAFF_WEB_CLIENT_ID]: POST_LOGOUT_URI },
  });

  return {
    name: 'staff',
    provider,
    issuer,
    mount: STAFF_BASE_PATH,
    metadataUrl: `${origin}${STAFF_BASE_PATH}/.well-known/openid-configuration`,
    tokenEndpoint: `${origin}${STAFF_BASE_PATH}/token`,
    interactions: interactionHandler({ provider, mount: STAFF_BASE_PATH, kind: 'staff', accounts, banner: BANNER }),
  };
}
