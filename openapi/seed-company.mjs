// A company for schemathesis to read (scripts/check-openapi): without one, every
// `GET /api/companies/{companyId}` it sends is a 404 and the 200 answer is never checked
// against the document. The company is made as a customer makes one, through the real
// journey: an invitation with the company's data through the staff API, its email caught
// by maildev, the link opened in Chromium, the sign-in at the local provider, the company
// form posted. schemathesis then reaches it through the document's link from
// `listCompanies` (its first item) to `getCompany`.
//
//   node openapi/seed-company.mjs SERVICES_JSON BASE_URL

import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../tests/browser/stack.mjs';
import { emailTo, invite, inviteLink, staffToken } from '../tests/browser/customer.mjs';
import { follow, signInAtB2c } from '../tests/browser/phone.mjs';

const [servicesFile, base] = process.argv.slice(2);
if (!servicesFile || !base) {
  process.stderr.write('usage: node openapi/seed-company.mjs SERVICES_JSON BASE_URL\n');
  process.exit(2);
}
const services = JSON.parse(fs.readFileSync(servicesFile, 'utf8').split('\n')[0]);
const email = `openapi.check.${randomBytes(4).toString('hex')}@customer.example`;
await invite(base, await staffToken(services), {
  email,
  displayName: 'OpenAPI Check',
  company: { name: 'Schemathesis Check SA', vatNumber: 'BE0123456749', street: 'Rue Haute 1', postalCode: '1400', city: 'Nivelles', country: 'BE' },
});
const link = inviteLink(await emailTo(services.maildevUrl, email));
const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 20_000 });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(link);
  await signInAtB2c(page, base, email);
  await follow(page, '#create-company');
  const at = new URL(page.url()).pathname;
  if (at !== '/api/Home') throw new Error(`after the company form the browser is at ${at}, not /api/Home`);
} finally {
  await browser.close();
}
process.stdout.write('a company was created for schemathesis to read\n');
