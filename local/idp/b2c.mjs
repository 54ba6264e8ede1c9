// Stand-in for the Azure AD B2C sign-up/sign-in user flow (customers), and, with
// shape 'externalid', for a Microsoft Entra External ID tenant's sign-up and sign-in
// user flow (see EXTERNAL_ID_* below).
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
//
// External ID shape (what an external tenant's id_token carries once the `email`
// optional claim is added to the app registration):
// Metadata: {origin}/externalidlocal.onmicrosoft.com/v2.0/.well-known/openid-configuration
//           (like https://{tenant}.ciamlogin.com/{tenant}.onmicrosoft.com/v2.0/…)
// Issuer:   {origin}/{tenant GUID}/v2.0 (like https://{tenant GUID}.ciamlogin.com/{tenant GUID}/v2.0:
//           the GUID even though the metadata address uses the tenant's name)
// Claims: iss, sub, aud, exp, iat, nbf, nonce, email, name, oid, tid, ver = "2.0", and
// idp only for federated sign-ins (google.com; a Microsoft account added as a custom
// OpenID Connect provider shows its issuer). No `emails`, no `tfp`. External ID does not
// honour domain_hint here: the login page always offers every provider.
//
// Both shapes carry `oid`, the person's object id, the same for every application of
// the tenant and unlike `sub` (B2C: with the tenant id in the issuer; External ID:
// with `tid`). A second client, the local "product" (PRODUCT_CLIENT_ID, its page in
// product.mjs), is configured for a custom authentication extension: tokens issued to
// it carry the claims the invitation service's POST /api/TokenIssuanceStart answers
// (extension.mjs), as Entra External ID's custom claims provider does.

import Provider, { interactionPolicy } from 'oidc-provider';

import {
  autoConsentGrant, installRedirectPatterns, makeSigningJwk, pageHooks, randomSecret, ttl,
} from './common.mjs';
import { claimsFromExtension, eventsServiceToken, extensionConfigured } from './extension.mjs';
import { idpFromDomainHint, interactionHandler } from './interactions.mjs';
import { createHash } from 'node:crypto';

export const B2C_BASE_PATH = '/b2clocal.onmicrosoft.com/B2C_1_signupsignin/v2.0';
export const B2C_TENANT_ID = '6f1d3b2a-0000-4000-8000-00000000b2c0';
export const B2C_POLICY = 'B2C_1_signupsignin';
export const B2C_CLIENT_ID = 'local-b2c-client';
export const B2C_CLIENT_SECRET = 'local-b2c-secret';
export const EXTERNAL_ID_BASE_PATH = '/externalidlocal.onmicrosoft.com/v2.0';
export const EXTERNAL_ID_TENANT_ID = '3c1e7a52-6b8d-4f0e-9a41-5d2c8e0f1a7b';
export const EXTERNAL_ID_CLIENT_ID = '9f3b6c1d-2e4a-4b7c-8d90-a1b2c3d4e5f6';
export const EXTERNAL_ID_CLIENT_SECRET = 'local-externalid-secret';
// The local product: an app of the same tenant configured for the custom claims provider.
export const PRODUCT_CLIENT_ID = 'local-product-client';
export const PRODUCT_CLIENT_SECRET = 'local-product-secret';
// The claims the custom claims provider adds to the product's tokens.
const EXTENSION_CLAIMS = ['accountId', 'companyIds', 'companyRoles'];

/** The person's object id (a GUID) for an account of the stand-in: not its `sub`. */
export function objectIdOf(sub) {
  const hex = createHash('sha256').update(`oid:${sub}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
// The issuer of personal Microsoft accounts, as External ID reports a Microsoft account
// added as a custom OpenID Connect provider.
const MSA_ISSUER = 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0';

const SHAPES = {
  b2c: {
    basePath: B2C_BASE_PATH,
    issuer: (origin) => `${origin}/${B2C_TENANT_ID}/v2.0/`,
    clientId: B2C_CLIENT_ID,
    clientSecret: B2C_CLIENT_SECRET,
    tenantId: B2C_TENANT_ID,
    cookiePrefix: 'b2clocal',
    claimNames: ['sub', 'emails', 'name', 'idp', 'oid', 'tfp', 'ver', 'nbf'],
    honoursDomainHint: true,
    claims: (sub, account) => ({
      sub,
      emails: [account.email],
      name: account.name,
      ...(account.idp && account.idp !== 'local' ? { idp: account.idp } : {}),
      oid: objectIdOf(sub),
      tfp: B2C_POLICY,
      ver: '1.0',
    }),
  },
  externalid: {
    basePath: EXTERNAL_ID_BASE_PATH,
    issuer: (origin) => `${origin}/${EXTERNAL_ID_TENANT_ID}/v2.0`,
    clientId: EXTERNAL_ID_CLIENT_ID,
    clientSecret: EXTERNAL_ID_CLIENT_SECRET,
    tenantId: EXTERNAL_ID_TENANT_ID,
    cookiePrefix: 'externalidlocal',
    claimNames: ['sub', 'email', 'name', 'idp', 'oid', 'tid', 'ver', 'nbf'],
    honoursDomainHint: false,
    claims: (sub, account) => ({
      sub,
      email: account.email,
      name: account.name,
      ...(account.idp === 'google.com' ? { idp: 'google.com' } : {}),
      ...(account.idp === 'live.com' ? { idp: MSA_ISSUER } : {}),
      oid: objectIdOf(sub),
      tid: EXTERNAL_ID_TENANT_ID,
      ver: '2.0',
    }),
  },
};

// Any loopback port; only the two redirect URIs the service uses.
const REDIRECT_URI = /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}\/api\/(AcceptInvite|AuthCallback)$/;
// The local product's page (product.mjs), on the providers' own origin.
const PRODUCT_REDIRECT_URI = /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}\/product\/(b2c|externalid)\/callback$/;
// After sign-out (RP-initiated logout) the service's signed-out page.
const POST_LOGOUT_URI = /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}\/api\/SignedOut$/;

const BANNERS = {
  b2c: 'Local stand-in for the Azure AD B2C user flow B2C_1_signupsignin. Any password is accepted.',
  externalid: 'Local stand-in for a Microsoft Entra External ID sign-up and sign-in user flow. Any password is accepted.',
};

/** shape: 'b2c' (default) or 'externalid'. */
export function createB2cProvider({ origin, shape = 'b2c' }) {
  const looks = SHAPES[shape];
  const BANNER = BANNERS[shape];
  const issuer = looks.issuer(origin);
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
      if (oidc.result?.login || !looks.honoursDomainHint) return Check.NO_NEED_TO_PROMPT;
      const wanted = idpFromDomainHint(oidc.params.domain_hint);
      if (!wanted || !oidc.session.accountId) return Check.NO_NEED_TO_PROMPT;
      const account = accounts.get(oidc.session.accountId);
      return account?.idp === wanted ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    },
  ));

  const signingJwk = makeSigningJwk('b2c');
  const provider = new Provider(issuer, {
    clients: [{
      client_id: PRODUCT_CLIENT_ID,
      client_secret: PRODUCT_CLIENT_SECRET,
      client_name: 'GFMS product (local)',
      redirect_uris: ['http://127.0.0.1/product/callback'],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    }, {
      client_id: looks.clientId,
      client_secret: looks.clientSecret,
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
    jwks: { keys: [signingJwk] },
    cookies: {
      keys: [randomSecret()],
      names: { session: `${looks.cookiePrefix}_session`, interaction: `${looks.cookiePrefix}_interaction`, resume: `${looks.cookiePrefix}_resume` },
    },
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: [...looks.claimNames, ...EXTENSION_CLAIMS],
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
      url: (ctx, interaction) => `${looks.basePath}/interaction/${interaction.uid}`,
    },
    loadExistingGrant: autoConsentGrant,
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const claims = { ...looks.claims(sub, account), nbf: Math.floor(Date.now() / 1000) };
          const clientId = ctx.oidc?.client?.clientId;
          if (clientId !== PRODUCT_CLIENT_ID || !extensionConfigured()) return claims;
          // Entra calls the custom claims provider before it issues the product's token.
          const extra = await claimsFromExtension({
            issuer, jwk: signingJwk, tenantId: looks.tenantId, objectId: claims.oid, clientId,
          });
          const allowed = Object.fromEntries(EXTENSION_CLAIMS.filter((c) => c in extra).map((c) => [c, extra[c]]));
          return { ...claims, ...allowed };
        },
      };
    },
    clientBasedCORS: () => false,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    renderError: pageHooks(BANNER).renderError,
    ttl,
  });

  installRedirectPatterns(provider, {
    redirect: { [looks.clientId]: REDIRECT_URI, [PRODUCT_CLIENT_ID]: PRODUCT_REDIRECT_URI },
    postLogout: { [looks.clientId]: POST_LOGOUT_URI },
  });

  return {
    name: shape,
    provider,
    issuer,
    mount: looks.basePath,
    metadataUrl: `${origin}${looks.basePath}/.well-known/openid-configuration`,
    // Where the provider's endpoints are (/authorize, /token), for the local product.
    issuerBase: `${origin}${looks.basePath}`,
    // A token as Entra's events service sends the extension (scripts/bench, curl).
    eventsServiceToken: (audience) => eventsServiceToken({ issuer, jwk: signingJwk, tenantId: looks.tenantId, audience }),
    interactions: interactionHandler({
      provider, mount: looks.basePath, kind: 'b2c', accounts, banner: BANNER, honoursDomainHint: looks.honoursDomainHint,
    }),
  };
}

function pick(object, ...keys) {
  return Object.fromEntries(keys.map((k) => [k, object[k]]));
}
