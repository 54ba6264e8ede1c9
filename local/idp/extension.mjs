// Stand-in for Microsoft Entra's authentication events service calling a custom
// authentication extension for the OnTokenIssuanceStart event (a custom claims
// provider), as the customer stand-ins use it when they issue tokens to an app
// configured for it (the local "product", see product.mjs).
//
// Like Entra: a POST of the tokenIssuanceStart request JSON to the extension's
// address, with a bearer token of the tenant (RS256, signed with the provider's own
// published key, `iss` the provider's issuer, `aud` the extension's app registration,
// `azp` the events service's app id), and the claims of the answer's
// provideClaimsForToken action put into the token. An error, a timeout (Entra allows
// 2 seconds) or an answer of another shape fails the token request, as Entra blocks
// the sign-in then.
//
// Configured from the environment of the local services (scripts/dev sets both):
//   CLAIMS_EXTENSION_URL  the handler's POST /api/TokenIssuanceStart
//   CLAIMS_AUDIENCE       the `aud` of the events service's token (the handler's same setting)

import { createPrivateKey, randomUUID, sign } from 'node:crypto';

export const EVENTS_SERVICE_APP_ID = '99045fe1-7639-4a75-9d4a-577b6ca3810f';
const TIMEOUT_MS = 2000;

/** Whether the extension is configured (both settings present). */
export function extensionConfigured(env = process.env) {
  return Boolean(env.CLAIMS_EXTENSION_URL && env.CLAIMS_AUDIENCE);
}

/** An RS256 JWT of `claims`, signed with the private `jwk` (its `kid` in the header). */
function rs256(jwk, claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(input), createPrivateKey({ key: jwk, format: 'jwk' }));
  return `${input}.${signature.toString('base64url')}`;
}

/** The events service's access token for the extension's app registration `audience`. */
export function eventsServiceToken({ issuer, jwk, tenantId, audience }) {
  const now = Math.floor(Date.now() / 1000);
  return rs256(jwk, {
    iss: issuer,
    aud: audience,
    azp: EVENTS_SERVICE_APP_ID,
    azpacr: '2',
    idtyp: 'app',
    ver: '2.0',
    tid: tenantId,
    sub: EVENTS_SERVICE_APP_ID,
    oid: EVENTS_SERVICE_APP_ID,
    iat: now,
    nbf: now,
    exp: now + 300,
  });
}

/**
 * Calls the extension for the person (tenantId, objectId) signing in to `clientId`:
 * the claims it answers.
 */
export async function claimsFromExtension({ issuer, jwk, tenantId, objectId, clientId, env = process.env }) {
  const token = eventsServiceToken({ issuer, jwk, tenantId, audience: env.CLAIMS_AUDIENCE });
  const request = {
    type: 'microsoft.graph.authenticationEvent.tokenIssuanceStart',
    source: `/tenants/${tenantId}/applications/${clientId}`,
    data: {
      '@odata.type': 'microsoft.graph.onTokenIssuanceStartCalloutData',
      tenantId,
      authenticationEventListenerId: randomUUID(),
      customAuthenticationExtensionId: randomUUID(),
      authenticationContext: {
        correlationId: randomUUID(),
        client: { ip: '127.0.0.1', locale: 'en-us', market: 'en-us' },
        protocol: 'OAUTH2.0',
        clientServicePrincipal: { appId: clientId },
        resourceServicePrincipal: { appId: clientId },
        user: { id: objectId, userType: 'Member' },
      },
    },
  };
  const response = await fetch(env.CLAIMS_EXTENSION_URL, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (response.status !== 200) {
    throw new Error(`the custom claims provider answered HTTP ${response.status}`);
  }
  const answer = await response.json();
  const action = answer?.data?.actions?.[0];
  if (answer?.data?.['@odata.type'] !== 'microsoft.graph.onTokenIssuanceStartResponseData'
      || action?.['@odata.type'] !== 'microsoft.graph.tokenIssuanceStart.provideClaimsForToken'
      || typeof action.claims !== 'object') {
    throw new Error('the custom claims provider answered in another shape');
  }
  return action.claims;
}
