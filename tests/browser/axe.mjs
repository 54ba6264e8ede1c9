// Accessibility of every page state the browser tests reach: axe-core (pinned in
// package.json) with the WCAG 2.0/2.1/2.2 A and AA rules, run in the real page, and the
// targets (links, buttons, fields) measured by their bounding boxes (targets.mjs). Any
// axe violation or target too small or too close fails the test that reached the state.
//
// The pages' Content-Security-Policy allows no inline script, so axe is not added as a
// <script> element: its source is evaluated through the DevTools protocol
// (page.evaluate), which the page's policy does not govern.
//
// `audit(context, base)` also keeps count: every document of the service (`base`) that a
// page of `context` loads must be checked before the test ends (`assertEveryPageChecked`),
// so a new page in a test cannot slip past the checks.
// (Not a test file itself: node --test runs only *.test.mjs here.)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { assertTargets } from './targets.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The rule sets run: WCAG 2.0 A and AA, 2.1 AA and 2.2 AA (target-size among them). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];

/** axe's results for the page as it is now (axe injected first when it is not there). */
export async function runAxe(page, tags = WCAG_TAGS) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (values) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] });
    return {
      engine: `${r.testEngine.name} ${r.testEngine.version}`,
      tags: r.toolOptions.runOnly.values,
      passes: r.passes.map((rule) => rule.id),
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
      })),
    };
  }, tags);
}

/** Fails with every violation axe finds on the page as it is now, in words. */
export async function assertAccessible(page, what) {
  const result = await runAxe(page);
  // axe really ran, with these rules: a page always passes some of them (html-has-lang, …).
  assert.match(result.engine, /^axe-core 4\./, `${what}: axe-core ran`);
  assert.deepEqual(result.tags, WCAG_TAGS, `${what}: axe ran the WCAG 2.2 AA rule sets`);
  assert.ok(result.passes.length > 0, `${what}: axe checked some rule (it passed none)`);
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`);
  assert.deepEqual(found, [], `${what} (${page.url()}): axe-core finds WCAG 2.2 AA violations:\n  ${found.join('\n  ')}`);
}

/**
 * The one accessibility check of the browser tests, for the pages of `context`:
 * `check(page, what)` runs axe and measures the targets of the page as it is now;
 * `assertEveryPageChecked()` fails if some document of the service that a page loaded
 * was never checked while it was shown.
 */
export function audit(context, base) {
  const origin = new URL(base).origin;
  const shown = new Map(); // page -> address of the document it shows (of `base`)
  const checked = new Set(); // addresses checked at least once
  const missed = new Set(); // addresses shown and left without a check
  const address = (url) => {
    const u = new URL(url);
    return u.origin === origin ? `${u.pathname}${u.search}` : undefined;
  };
  const watch = (page) => {
    page.on('domcontentloaded', () => {
      const before = shown.get(page);
      if (before && !checked.has(before)) missed.add(before);
      shown.set(page, address(page.url()));
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);

  return {
    async check(page, what) {
      await assertAccessible(page, what);
      await assertTargets(page, what);
      const at = address(page.url());
      if (at) {
        checked.add(at);
        missed.delete(at);
      }
    },
    assertEveryPageChecked() {
      for (const at of shown.values()) if (at && !checked.has(at)) missed.add(at);
      assert.deepEqual([...missed].filter((at) => !checked.has(at)), [],
        'every page of the service the test showed had its accessibility checked (audit().check)');
    },
  };
}
