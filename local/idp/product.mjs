// A small local "product": the app the customers go on to once onboarded
// (PRODUCT_URL). It signs the person in at the customer stand-in (b2c.mjs) with its
// own client, PRODUCT_CLIENT_ID, which the stand-in has configured for the custom
// claims provider, and shows the claims its id_token received: the proof that the
// product's tokens know the person's companies.
//
//   GET /product/externalid   sign in through the Entra External ID stand-in
//   GET /product/b2c          ... through the Azure AD B2C stand-in
//   GET /product/{shape}/callback   the code redeemed, the claims shown
//
// It reads the token it just received from the provider's token endpoint over a
// direct call, so it shows the payload without checking the signature (a real
// product checks it, as the invitation service does).

import { createHash, randomBytes } from 'node:crypto';

import { PRODUCT_CLIENT_ID, PRODUCT_CLIENT_SECRET } from './b2c.mjs';
import { escapeHtml, page, sendHtml } from './common.mjs';

const BANNER = 'Local stand-in for the product (PRODUCT_URL): it shows the claims of its token.';
const SHOWN = ['accountId', 'companyIds', 'companyRoles', 'oid', 'tid', 'sub'];

/** The product's pages for the customer providers, by shape name ('b2c', 'externalid'). */
export function productPages({ origin, providers }) {
  /** state -> { verifier, shape } of sign-ins under way (a few minutes at most). */
  const pending = new Map();

  return async function handle(req, res) {
    const url = new URL(req.url, origin);
    const [, , shape, step] = url.pathname.split('/');
    const provider = providers[shape];
    if (!provider || req.method !== 'GET') {
      sendHtml(res, 404, page('Not found', '<h1>Not found</h1>', { banner: BANNER }));
      return;
    }
    const redirectUri = `${origin}/product/${shape}/callback`;
    if (!step) {
      const state = randomBytes(16).toString('base64url');
      const verifier = randomBytes(32).toString('base64url');
      pending.set(state, { verifier, shape });
      setTimeout(() => pending.delete(state), 10 * 60 * 1000).unref();
      const authorize = new URL(`${provider.issuerBase}/authorize`);
      for (const [name, value] of Object.entries({
        client_id: PRODUCT_CLIENT_ID,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        state,
        nonce: randomBytes(16).toString('base64url'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      })) authorize.searchParams.set(name, value);
      res.statusCode = 302;
      res.setHeader('Location', authorize.href);
      res.end();
      return;
    }
    const flow = pending.get(url.searchParams.get('state') ?? '');
    pending.delete(url.searchParams.get('state') ?? '');
    const code = url.searchParams.get('code');
    if (step !== 'callback' || !flow || !code) {
      const why = url.searchParams.get('error_description') || url.searchParams.get('error') || 'no sign-in under way';
      sendHtml(res, 400, page('Product sign-in failed', `<h1>Product sign-in failed</h1><p class="error">${escapeHtml(why)}</p>`, { banner: BANNER }));
      return;
    }
    const answer = await fetch(`${provider.issuerBase}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: PRODUCT_CLIENT_ID,
        client_secret: PRODUCT_CLIENT_SECRET,
        code_verifier: flow.verifier,
      }),
    });
    const body = await answer.json().catch(() => ({}));
    if (!answer.ok || typeof body.id_token !== 'string') {
      const why = body.error_description || body.error || `HTTP ${answer.status}`;
      sendHtml(res, 502, page('Product sign-in failed', `<h1>Product sign-in failed</h1><p class="error">${escapeHtml(why)}</p>`, { banner: BANNER }));
      return;
    }
    const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url').toString('utf8'));
    const rows = SHOWN.map((name) => `<tr><th scope="row">${name}</th><td id="claim-${name}">${escapeHtml(JSON.stringify(claims[name] ?? null))}</td></tr>`).join('\n');
    sendHtml(res, 200, page('GFMS product', `<h1>Welcome to the product</h1>
<p>The product's id_token, as the customer provider issued it to <code>${PRODUCT_CLIENT_ID}</code>:</p>
<table id="claims"><caption>Claims of the product's token</caption>
${rows}
</table>`, { banner: BANNER }));
  };
}
