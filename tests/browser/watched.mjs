// A page the browser tests watch while they walk: the Content-Security-Policy violations
// (csp.mjs), the axe audit of each page shown (axe.mjs) and the script errors.
// (Not a test file itself: node --test runs only *.test.mjs here.)

import { audit } from './axe.mjs';
import { watchCsp } from './csp.mjs';

/**
 * A new page in `context` (10 s timeouts) with what it collects: `violations` (CSP),
 * `a11y` (the audit of the pages of `base`) and `pageErrors` (each `url: message`).
 */
export async function watchedPage(context, base) {
  const violations = await watchCsp(context);
  const a11y = audit(context, base);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  return { violations, a11y, page, pageErrors };
}
