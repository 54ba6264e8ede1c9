// Login pages of the two local OpenID providers, and what their forms do.
//
// HOW AN AUTOMATED TEST DRIVES A SIGN-IN OVER PLAIN HTTP (keep a cookie jar)
// ---------------------------------------------------------------------------
// {base} is the provider's base path:
//   B2C stand-in:    http://127.0.0.1:{IDP_PORT}/b2clocal.onmicrosoft.com/B2C_1_signupsignin/v2.0
//   staff stand-in:  http://127.0.0.1:{IDP_PORT}/staff/v2.0
//
// 1. GET {base}/authorize?client_id=…&response_type=code&scope=openid
//        &redirect_uri=…&state=…&nonce=…&code_challenge=…&code_challenge_method=S256
//        [&login_hint=…][&domain_hint=google.com|live.com][&response_mode=query|form_post]
//    -> 303 Location: {base}/interaction/{uid}   (sets the interaction cookies)
//    (If the cookie jar already holds a signed-in session for this provider,
//    the provider answers straight away with step 4: single sign-on.)
// 2. GET {base}/interaction/{uid}  -> 200, the HTML login form.
// 3. POST {base}/interaction/{uid}/login   (application/x-www-form-urlencoded)
//      B2C:   email=…  password=<anything non-empty>  idp=local|google.com|live.com
//             [name=<display name>; default: made from the email's local part]
//      staff: email=…  password=<anything non-empty>  [role=on]  (role present:
//             roles=["Invitations.Send"]; absent (or false/0/off/no): roles=[])
//             [name=<display name>]
//    -> 303 Location: {base}/authorize/{uid}   (the provider's resume URL)
//    An invalid form (bad email, empty password) answers 400 with the form again.
// 4. GET {base}/authorize/{uid}
//    -> 303 Location: {redirect_uri}?code=…&state=…&iss=…   (response_mode=query)
//    or 200 with an auto-submitting HTML form POSTing code/state/iss to the
//    redirect_uri (response_mode=form_post).
//    There is NO consent step: both clients are first-party, consent is implied.
// 5. POST {base}/token  grant_type=authorization_code&code=…&redirect_uri=…
//        &code_verifier=…  with client_id+client_secret in the body
//        (client_secret_post) or as HTTP Basic (client_secret_basic).
//
// Instead of step 3, the B2C login page can be left with:
//   POST {base}/interaction/{uid}/cancel  -> 303 {base}/authorize/{uid} -> 303
//        {redirect_uri}?error=access_denied&error_description=AADB2C90091%3A+The+user+has+cancelled+entering+self-asserted+information.&state=…
//   POST {base}/interaction/{uid}/forgot  -> same, with
//        error_description=AADB2C90118: The user has forgotten their password.
// The staff page has the cancel action as well (plain access_denied).
//
// Both forms need no CSRF token: the interaction cookie binds them to the
// browser that started the authorization request.

import { errors } from 'oidc-provider';

import {
  escapeHtml, looksLikeEmail, nameFromEmail, page, readForm, sendHtml, stableId,
} from './common.mjs';

export const B2C_CANCEL_DESCRIPTION = 'AADB2C90091: The user has cancelled entering self-asserted information.';
export const B2C_FORGOT_DESCRIPTION = 'AADB2C90118: The user has forgotten their password.';

export const IDP_CHOICES = [
  { value: 'local', label: 'Email and password (local account)' },
  { value: 'google.com', label: 'Google' },
  { value: 'live.com', label: 'Microsoft account' },
];

/** domain_hint (as apps send it to B2C) -> one of the IDP_CHOICES values. */
export function idpFromDomainHint(hint) {
  const h = String(hint || '').trim().toLowerCase();
  if (!h) return undefined;
  if (h === 'google.com' || h === 'google') return 'google.com';
  if (h === 'live.com' || h === 'microsoft' || h === 'microsoft.com' || h === 'outlook.com') return 'live.com';
  if (h === 'local') return 'local';
  return undefined;
}

function unchecked(value) {
  return value === undefined || value === null || /^(|false|0|off|no)$/i.test(String(value).trim());
}

/**
 * Builds the request handler for `{mount}/interaction/...` of one provider.
 * kind: 'b2c' or 'staff'. accounts: Map accountId -> account record, read by
 * the provider's findAccount.
 */
export function interactionHandler({ provider, mount, kind, accounts, banner, honoursDomainHint = true }) {
  const prefix = `${mount}/interaction/`;

  function renderB2c({ uid, email, idp, name, error }) {
    const radios = IDP_CHOICES.map((c) => `
      <div><input type="radio" id="idp-${escapeHtml(c.value)}" name="idp" value="${escapeHtml(c.value)}"${c.value === idp ? ' checked' : ''}><label for="idp-${escapeHtml(c.value)}">${escapeHtml(c.label)}</label></div>`).join('');
    return page('Sign in', `
<h1>Sign in</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(prefix + uid)}/login" autocomplete="off">
  <fieldset>
    <legend>Sign in with</legend>${radios}
  </fieldset>
  <label for="email">Email address</label>
  <input type="email" id="email" name="email" value="${escapeHtml(email)}" required autofocus>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" required>
  <label for="name">Display name (optional)</label>
  <input type="text" id="name" name="name" value="${escapeHtml(name)}" placeholder="made from the email address">
  <div class="actions">
    <button class="primary" type="submit" id="next">Sign in</button>
    <button class="secondary" type="submit" id="cancel" formaction="${escapeHtml(prefix + uid)}/cancel" formnovalidate>Cancel</button>
    <button class="link" type="submit" id="forgotPassword" formaction="${escapeHtml(prefix + uid)}/forgot" formnovalidate>Forgot your password?</button>
  </div>
</form>`, { banner });
  }

  function renderStaff({ uid, email, name, role, error }) {
    return page('Sign in', `
<h1>Sign in to your organisation</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(prefix + uid)}/login" autocomplete="off">
  <label for="email">Work email</label>
  <input type="email" id="email" name="email" value="${escapeHtml(email)}" required autofocus>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" required>
  <label for="name">Display name (optional)</label>
  <input type="text" id="name" name="name" value="${escapeHtml(name)}" placeholder="made from the email address">
  <p class="check"><input type="checkbox" id="role" name="role" value="on"${role ? ' checked' : ''}> <label for="role">has the Invitations.Send role</label></p>
  <div class="actions">
    <button class="primary" type="submit" id="next">Sign in</button>
    <button class="secondary" type="submit" id="cancel" formaction="${escapeHtml(prefix + uid)}/cancel" formnovalidate>Cancel</button>
  </div>
</form>`, { banner });
  }

  function render(status, res, fields) {
    sendHtml(res, status, kind === 'b2c' ? renderB2c(fields) : renderStaff(fields));
  }

  function defaults(details) {
    const { params } = details;
    if (kind === 'b2c') {
      return {
        email: params.login_hint || '',
        idp: (honoursDomainHint && idpFromDomainHint(params.domain_hint)) || 'local',
        name: '',
      };
    }
    return { email: params.login_hint || '', name: '', role: true };
  }

  async function autoConsent(req, res, details) {
    // Normally never reached (loadExistingGrant grants everything), kept so a
    // consent prompt can never strand a test on a page it cannot handle.
    const { prompt: { details: missing }, params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  async function login(req, res, uid, details) {
    const form = await readForm(req);
    const email = String(form.email ?? '').trim();
    const password = String(form.password ?? '');
    const name = String(form.name ?? '').trim();
    if (kind === 'b2c') {
      const idp = String(form.idp ?? 'local').trim() || 'local';
      let error;
      if (!looksLikeEmail(email)) error = 'Please enter a valid email address.';
      else if (!password) error = 'Please enter your password.';
      else if (!IDP_CHOICES.some((c) => c.value === idp)) error = `Unknown identity provider "${idp}".`;
      if (error) return render(400, res, { uid, email, idp: IDP_CHOICES.some((c) => c.value === idp) ? idp : 'local', name, error });
      const accountId = stableId('b2c', idp, email.toLowerCase());
      accounts.set(accountId, { email, idp, name: name || nameFromEmail(email) });
      return provider.interactionFinished(req, res, {
        login: { accountId, amr: [idp === 'local' ? 'pwd' : 'fed'] },
      }, { mergeWithLastSubmission: false });
    }
    const role = !unchecked(form.role);
    let error;
    if (!looksLikeEmail(email)) error = 'Please enter a valid email address.';
    else if (!password) error = 'Please enter your password.';
    if (error) return render(400, res, { uid, email, name, role, error });
    // The role choice is part of the account key, so two sign-ins with the same
    // email but a different role choice never see each other's roles.
    const accountId = stableId('staff', email.toLowerCase(), role ? 'role' : 'norole');
    accounts.set(accountId, {
      email,
      name: name || nameFromEmail(email),
      roles: role ? ['Invitations.Send'] : [],
    });
    return provider.interactionFinished(req, res, {
      login: { accountId, amr: ['pwd'] },
    }, { mergeWithLastSubmission: false });
  }

  async function abort(req, res, description) {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: description,
    }, { mergeWithLastSubmission: false });
  }

  return async function handle(req, res) {
    const path = new URL(req.url, 'http://idp.invalid').pathname;
    const rest = path.slice(prefix.length).split('/');
    const [uid, action, ...extra] = rest;
    try {
      if (!uid || extra.length) return sendHtml(res, 404, page('Not found', '<h1>Not found</h1>', { banner }));
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) {
        throw new errors.SessionNotFound('interaction session id cookie not found');
      }
      if (!action && (req.method === 'GET' || req.method === 'HEAD')) {
        if (details.prompt.name === 'consent') return await autoConsent(req, res, details);
        return render(200, res, { uid, ...defaults(details) });
      }
      if (req.method !== 'POST') {
        res.setHeader('Allow', action ? 'POST' : 'GET');
        return sendHtml(res, 405, page('Method not allowed', '<h1>Method not allowed</h1>', { banner }));
      }
      switch (action) {
        case 'login':
          return await login(req, res, uid, details);
        case 'cancel':
          return await abort(req, res, kind === 'b2c' ? B2C_CANCEL_DESCRIPTION : 'The user cancelled the sign-in.');
        case 'forgot':
          if (kind === 'b2c') return await abort(req, res, B2C_FORGOT_DESCRIPTION);
          break;
        default:
          break;
      }
      return sendHtml(res, 404, page('Not found', '<h1>Not found</h1>', { banner }));
    } catch (err) {
      const status = err.status || err.statusCode || 500;
      if (status >= 500) console.error('[idp] interaction error:', err);
      const message = err.error_description || err.message || 'unexpected error';
      return sendHtml(res, status, page('Sign-in error', `<h1>Sign-in could not continue</h1>
<p>${escapeHtml(message)}</p>
<p>Start again from the application (the sign-in link may have expired or been used already).</p>`, { banner }));
    }
  };
}
