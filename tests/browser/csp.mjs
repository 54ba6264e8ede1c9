// Content-Security-Policy violations in a real Chromium fail the browser tests: a form
// whose post ends at the identity provider is blocked by a `form-action` that lacks the
// provider's origin, and the only trace is a violation event (the page just stays put).
// (Not a test file itself: node --test runs only *.test.mjs here.)

import assert from 'node:assert/strict';

/**
 * Records every CSP violation in `context`'s pages (the `securitypolicyviolation` event
 * and Chromium's console errors about the policy); returns the list, filled as they come.
 */
export async function watchCsp(context) {
  const violations = [];
  await context.exposeBinding('__reportCspViolation', ({ page }, text) => {
    violations.push(`${page.url()}: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  context.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
      violations.push(`${msg.page()?.url()}: ${msg.text()}`);
    }
  });
  return violations;
}

/**
 * Clicks `selector` (a button of a form that posts to us and is answered with a redirect
 * to the provider) and waits until the browser shows a page of `origin`; a CSP violation
 * on the way fails at once with what the browser said.
 */
export async function clickThrough(page, selector, origin, violations, timeoutMs = 10_000) {
  const before = violations.length;
  const arrived = page.waitForURL((url) => url.origin === origin, { waitUntil: 'load', timeout: timeoutMs })
    .then(() => true, () => false);
  await page.click(selector);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (violations.length > before) {
      assert.fail(`clicking ${selector} was blocked by the page's Content-Security-Policy:\n${violations.slice(before).join('\n')}`);
    }
    if (await Promise.race([arrived, new Promise((r) => setTimeout(() => r(false), 100))])) break;
  }
  assert.equal(new URL(page.url()).origin, origin,
    `clicking ${selector} should lead to ${origin}, but the browser is at ${page.url()}`);
  assert.deepEqual(violations.slice(before), [], 'no CSP violation on the way');
}
