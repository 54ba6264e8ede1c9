// The way on to the product (issue #26), in a real Chromium: a customer invited by the
// staff signs in through the Entra External ID stand-in, creates their company, and on
// Home follows "Continue to GFMS Customer Portal" (PRODUCT_URL) to the local product
// (local/idp/product.mjs). The product signs them in with its own client; the stand-in,
// configured for the custom claims provider, calls the handler's
// POST /api/TokenIssuanceStart with its own RS256 token, as Entra does, and puts the
// answer in the product's token: the product's page shows the company and the role.
// Home is checked with axe; any Content-Security-Policy violation fails the test.
//
// Run:   node --test tests/browser/
// Needs: what journey.test.mjs needs. Screenshots in test-artifacts/product-*.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifacts, CHROMIUM_ARGS, chromiumPath, freePort, stack } from './stack.mjs';
import { audit } from './axe.mjs';
import { watchCsp } from './csp.mjs';
import { emailTo, invite, inviteLink, staffToken } from './customer.mjs';
import { follow, signInAtB2c } from './phone.mjs';

const TEST_TIMEOUT_MS = 90_000;
const AUDIENCE = 'api://local-claims-provider';
const { log, logs, running, startServices, startHandler } = stack({ name: 'product', logPrefix: 'product-', timeoutMs: TEST_TIMEOUT_MS });

test('a new customer follows "Continue to" from Home to the product, whose token names their company and role', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { chromium } = await import('playwright-core');
  // The handler's address (behind the host stand-in) is chosen first: the customer
  // provider calls its TokenIssuanceStart when it issues the product's token.
  const hostPort = await freePort();
  const services = await startServices({
    CLAIMS_EXTENSION_URL: `http://127.0.0.1:${hostPort}/api/TokenIssuanceStart`,
    CLAIMS_AUDIENCE: AUDIENCE,
  });
  const base = await startHandler(services, {
    waitForTables: true,
    hostPort,
    env: {
      B2C_METADATA_URL: services.externalIdMetadataUrl,
      B2C_CLIENT_ID: services.externalIdClientId,
      B2C_CLIENT_SECRET: services.externalIdClientSecret,
      CLAIMS_AUDIENCE: AUDIENCE,
      PRODUCT_URL: services.productUrl,
    },
  });
  log(`handler at ${base}, product at ${services.productUrl}`);
  running.browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 20_000 });

  const email = `anne.martin.${randomBytes(4).toString('hex')}@customer.example`;
  const created = await invite(base, await staffToken(services), {
    email, displayName: 'Anne Martin',
    company: { name: 'URS Machining SA', vatNumber: 'BE0123456749', street: "Rue de l'Industrie 12", postalCode: '1400', city: 'Nivelles', country: 'BE' },
  });
  const link = inviteLink(await emailTo(services.maildevUrl, email, logs));

  const context = await running.browser.newContext({ locale: 'en-GB' });
  const violations = await watchCsp(context);
  const a11y = audit(context, base);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(link);
  await signInAtB2c(page, base, email);
  assert.equal(new URL(page.url()).pathname, '/api/CreateCompany');
  await a11y.check(page, 'company form');
  await follow(page, '#create-company');
  assert.equal(new URL(page.url()).pathname, '/api/Home');
  const go = page.locator('#continue-to-product');
  assert.equal((await go.textContent()).trim(), 'Continue to GFMS Customer Portal');
  assert.equal(await go.getAttribute('href'), services.productUrl);
  await a11y.check(page, 'home with the way on');
  await page.screenshot({ path: path.join(artifacts, 'product-home.png'), fullPage: true });

  // The product signs the person in (the provider's session: no second password) and
  // shows the claims of its token.
  const productOrigin = new URL(services.productUrl).origin;
  await follow(page, '#continue-to-product', productOrigin);
  await page.waitForSelector('#claims');
  await page.screenshot({ path: path.join(artifacts, 'product-claims.png'), fullPage: true });
  const claim = async (name) => JSON.parse(await page.textContent(`#claim-${name}`));
  const company = `c${created.id}`;
  assert.deepEqual(await claim('companyIds'), [company]);
  assert.deepEqual(await claim('companyRoles'), [`${company}:administrator`]);
  assert.match(await claim('accountId'), /\S/);
  assert.notEqual(await claim('oid'), await claim('sub'), 'the person is found by oid, not sub');
  a11y.assertEveryPageChecked();
  assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
});
