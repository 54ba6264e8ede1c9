// What the browser walks at phone width share: following a click to the next page, the
// local B2C sign-in, the phone-width check, the page's heading and an RFC 6238 code.
// (Not a test file itself: node --test runs only *.test.mjs here.)

import { createHmac } from 'node:crypto';
import assert from 'node:assert/strict';

export const PHONE = { width: 390, height: 844 };

/**
 * Clicks `selector` and waits for the next page to load; with `origin`, for a page of
 * that origin after at least one navigation (redirects through other origins pass).
 */
export async function follow(page, selector, origin) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await page.click(selector);
  await navigated;
  if (origin) await page.waitForURL((url) => url.origin === origin, { waitUntil: 'load' });
  else await page.waitForLoadState('load');
}

/** Signs in at the local B2C page the browser is on, as `email`, back at `base`. */
export async function signInAtB2c(page, base, email) {
  assert.ok(page.url().includes('/interaction/'), `on the provider's sign-in page, not ${page.url()}`);
  await page.fill('#email', email);
  await page.check('#idp-local');
  await page.fill('#password', 'any-password-will-do');
  await follow(page, '#next', base);
}

export async function fitsThePhone(page, what) {
  // Against the phone's width, not innerWidth: a mobile browser zooms out to show a page
  // wider than the screen, which would hide the overflow.
  const overflow = await page.evaluate((width) => document.documentElement.scrollWidth - width, PHONE.width);
  assert.ok(overflow <= 0, `${what} fits a phone's width (overflow ${overflow}px)`);
}

export const h1 = async (page) => ((await page.textContent('h1')) || '').trim();

/** RFC 6238 (HMAC-SHA-1, 6 digits, 30 s) for a base32 secret, at Unix time `seconds`. */
export function totp(base32, seconds) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[19] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
