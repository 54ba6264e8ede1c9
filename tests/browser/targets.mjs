// Target size and spacing (WCAG 2.2, 2.5.8), measured as a person meets them: the
// bounding boxes of every link, button and field the page shows, at the width the test
// runs at. Every target is at least 24 × 24 px (a link inside a sentence excepted, as
// 2.5.8 does), no two targets touch (at least GAP px apart), and on a phone's width every
// button is at least 44 px tall.
// (Not a test file itself: node --test runs only *.test.mjs here.)

import assert from 'node:assert/strict';

export const MIN_TARGET = 24;
export const MIN_PHONE_BUTTON = 44;
export const GAP = 8;
const PHONE_MAX_WIDTH = 480;

/** The targets of the page as it is now: what, where, and whether it is a button. */
export async function measureTargets(page) {
  return page.evaluate(() => {
    const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
    const describe = (el) => {
      const id = el.id ? `#${el.id}` : '';
      const text = (el.textContent || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `${el.tagName.toLowerCase()}${id}${text ? ` "${text}"` : ''}`;
    };
    /** A link inside running text: its block holds words that are not the link's. */
    const inSentence = (el) => {
      if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
      const block = el.closest('p, li, dd, td, span.muted');
      if (!block) return false;
      const rest = block.textContent.replace(el.textContent, '');
      return /[\p{L}]{2,}/u.test(rest);
    };
    return Array.from(document.querySelectorAll(selector))
      .filter((el) => {
        const style = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        // Shown: not hidden, not closed in a <details>, not moved off-screen (the skip link).
        return style.visibility !== 'hidden' && r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > -window.scrollY
          && el.checkVisibility();
      })
      .map((el) => {
        const r = el.getBoundingClientRect();
        const button = el.tagName === 'BUTTON' || el.classList.contains('button');
        return {
          what: describe(el),
          box: { left: r.left + window.scrollX, top: r.top + window.scrollY, right: r.right + window.scrollX, bottom: r.bottom + window.scrollY },
          width: Math.round(r.width * 10) / 10,
          height: Math.round(r.height * 10) / 10,
          button,
          inSentence: inSentence(el),
        };
      });
  });
}

/** The distance between two boxes (0 when they touch or overlap). */
function distance(a, b) {
  const dx = Math.max(0, b.left - a.right, a.left - b.right);
  const dy = Math.max(0, b.top - a.bottom, a.top - b.bottom);
  return Math.hypot(dx, dy);
}

/** Fails naming every target of the page that is too small or too close to another. */
export async function assertTargets(page, what) {
  const targets = await measureTargets(page);
  const phone = (page.viewportSize()?.width ?? 1280) <= PHONE_MAX_WIDTH;
  const problems = [];
  for (const t of targets) {
    if (!t.inSentence && (t.width < MIN_TARGET || t.height < MIN_TARGET)) {
      problems.push(`${t.what} is ${t.width} × ${t.height} px (at least ${MIN_TARGET} × ${MIN_TARGET})`);
    }
    if (phone && t.button && t.height < MIN_PHONE_BUTTON) {
      problems.push(`${t.what} is ${t.height} px tall on a phone (at least ${MIN_PHONE_BUTTON})`);
    }
  }
  for (let i = 0; i < targets.length; i += 1) {
    for (let j = i + 1; j < targets.length; j += 1) {
      const d = distance(targets[i].box, targets[j].box);
      if (d < GAP) problems.push(`${targets[i].what} and ${targets[j].what} are ${d.toFixed(1)} px apart (at least ${GAP})`);
    }
  }
  assert.deepEqual(problems, [], `${what} (${page.url()}): targets too small or too close (WCAG 2.5.8):\n  ${problems.join('\n  ')}`);
}
