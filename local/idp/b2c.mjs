// Stand-in for the Azure AD B2C sign-up/sign-in user flow (customers).
//
// Metadata: {origin}/b2clocal.onmicrosoft.com/B2C_1_signupsignin/v2.0/.well-known/openid-configuration
// Issuer:   {origin}/6f1d3b2a-0000-4000-8000-00000000b2c0/v2.0/   (differs from
//           the metadata's base, as in real B2C)
// Endpoints, all under the metadata's base path:
//   /authorize  /token  /keys (JWKS)  /logout (end session)  /interaction/{uid} (login page)
//
// ID token claims, shaped like B2C's: iss, sub, aud, exp, iat, nbf, auth_time,
// nonce, emails (array), name, tfp, ver = "1.0", and idp only for social
// sign-ins (google.com, live.com). No `email` claim.

import Provider, { interactionPolicy } from 'oidc-provider';

import {
  autoConsentGrant, installRedirectPatterns, makeSigningJwk, pageHooks, randomSecret, ttl,
} from './common.mjs';
import { idpFromDomainHint, interactionHandler } from './interactions.mjs';

export const B2C_BASE_PATH = '/b2clocal.onmicrosoft.com/B2C_1_signupsignin/v2.0';
export const B2C_TENANT_ID = '6f1d3b2a-0000-4000-8000-00000000b2c0';
export const B2C_POLICY = 'B2C_1_signupsignin';
export const B2C_CLIENT_ID = 'local-b2c-client';
export const B2C_CLIENT_SECRET = 'local-b2c-secret';

// Any loopback port; only the two redirect URIs the service uses.
const REDIRECT_URI = /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}\/api\/(AcceptInvite|AuthCallback)$/;
// After sign-out (RP-initiated logout) the service's signed-out page.
const POST_LOGOUT_URI = /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}\/api\/SignedOut$/;

const BANNER = 'Local stand-in for the Azure AD B2C user flow B2C_1_signupsignin. Any password is accepted.';

export function createB2cProvider({ origin }) {
  const issuer = `${origin}/${B2C_TENANT_ID}/v2.0/`;
  /** accountId -> { email, idp, name } (filled by the login form) */
  const accounts = new Map();

  const { Check, base } = interactionPolicy;
  const policy = base();
  // domain_hint asks for a given identity provider: an existing single sign-on
  // session with another provider does not answer it, the login page is shown.
  policy.get('login').checks.add(new Check(
    'domain_hint',
    'a different identity provider was requested',
    'login_required',
    (ctx) => {
      const { oidc } = ctx;
      if (oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      const wanted = idpFromDomainHint(oidc.params.domain_hint);
      if (!wanted || !oidc.session.accountId) return Check.NO_NEED_TO_PROMPT;
      const account = accounts.get(oidc.session.accountId);
      return account?.idp === wanted ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    },
  ));

  const provider = new Provider(issuer, {
    clients: [{
      client_id: B2C_CLIENT_ID,
      client_secret: B2C_CLIENT_SECRET,
      client_name: 'Invitation service (local)',
      // Placeholders: the real check is the REDIRECT_URI pattern above.
      redirect_uris: [
        'http://127.0.0.1/api/AcceptInvite', 'http://127.0.0.1/api/AuthCallback',
        'http://localhost/api/AcceptInvite', 'http://localhost/api/AuthCallback',
      ],
      post_logout_redirect_uris: ['http://127.0.0.1/api/SignedOut', 'http://localhost/api/SignedOut'],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      // client_secret_basic is accepted as well (the library takes either form
      // of a client secret).
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
      require_auth_time: true,
    }],
    jwks: { keys: [makeSigningJwk('b2c')] },
    cookies: {
      keys: [randomSecret()],
      names: { session: 'b2clocal_session', interaction: 'b2clocal_interaction', resume: 'b2clocal_resume' },
    },
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub', 'emails', 'name', 'idp', 'tfp', 'ver', 'nbf'],
    },
    conformIdTokenClaims: false,
    extraParams: ['domain_hint'],
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
      rpInitiatedLogout: { enabled: true, ...pick(pageHooks(BANNER), 'logoutSource', 'postLogoutSuccessSource') },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
    },
    interactions: {
      policy,
      url: (ctx, interaction) => `${B2C_BASE_PATH}/interaction/${interaction.uid}`,
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
            emails: [account.email],
            name: account.name,
            ...(account.idp && account.idp !== 'local' ? { idp: account.idp } : {}),
            tfp: B2C_POLICY,
            ver: '1.0',
            nbf: Math.floor(Date.now() / 1000),
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
    redirect: { [B2C_CLIENT_ID]: REDIRECT_URI },
    postLogout: { [B2C_CLIENT_ID]: POST_LOGOUT_URI },
  });

  return {
    name: 'b2c',
    provider,
    issuer,
    mount: B2C_BASE_PATH,
    metadataUrl: `${origin}${B2C_BASE_PATH}/.well-known/openid-configuration`,
    interactions: interactionHandler({ provider, mount: B2C_BASE_PATH, kind: 'b2c', accounts, banner: BANNER }),
  };
}

function pick(object, ...keys) {
  return Object.fromEntries(keys.map((k) => [k, object[k]]));
}
