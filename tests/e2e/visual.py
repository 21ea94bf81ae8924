"""The layout check the browser suite runs on every role's main pages (tests/e2e/test_visual.py):
nothing wider than the window, no table wider than its box (so none scrolls sideways inside it), no
visible element drawn over a sibling, and at phone width every
table cell that shows without its column's header carrying the header as its label (data-label)."""

CHECK = r"""
() => {
  const width = window.innerWidth;
  const problems = [];
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const text = (el.innerText || el.getAttribute('aria-label') || el.getAttribute('alt') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  const shown = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || parseFloat(style.opacity) === 0) return false;
    const box = el.getBoundingClientRect();
    return box.width > 2 && box.height > 2;
  };
  const clipped = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) return true;
    }
    return false;
  };

  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) {
    const wide = [...document.body.querySelectorAll('*')]
      .filter((el) => shown(el) && el.getBoundingClientRect().right > width + 1 && !clipped(el))
      .filter((el) => ![...el.children].some((child) => child.getBoundingClientRect().right > width + 1));
    problems.push(`the page is ${scrollWidth} px wide in a ${width} px window: ` + wide.slice(0, 4).map(describe).join(', '));
  }

  const READABLE = 'a, button, input, select, textarea, label, h1, h2, h3, h4, p, li, dt, dd, th, td, img, summary, figcaption, legend, time, strong, code, span, output, progress';
  const pieces = (el) => (getComputedStyle(el).display === 'inline' ? [...el.getClientRects()] : [el.getBoundingClientRect()])
    .filter((box) => box.width > 2 && box.height > 2 && box.right > 0 && box.left < width);
  const parents = new Set([...document.body.querySelectorAll(READABLE)].map((el) => el.parentElement));
  for (const parent of parents) {
    if (!parent) continue;
    const kids = [...parent.children].filter((el) => el.matches(READABLE) && shown(el));
    for (let i = 0; i < kids.length; i++) {
      for (let j = i + 1; j < kids.length; j++) {
        const hit = pieces(kids[i]).some((a) => pieces(kids[j]).some((b) =>
          Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2));
        if (hit) problems.push(`${describe(kids[i])} overlaps ${describe(kids[j])}`);
      }
    }
  }

  for (const table of document.querySelectorAll('table')) {
    const box = table.parentElement;
    if (shown(table) && table.scrollWidth > box.clientWidth + 1) {
      problems.push(`${describe(table)} is ${table.scrollWidth} px wide in a ${box.clientWidth} px box`);
    }
    if (!shown(table) || !table.tHead || getComputedStyle(table.tHead).display !== 'none') continue;
    for (const cell of table.querySelectorAll('tbody td')) {
      if (shown(cell) && cell.colSpan <= 1 && !(cell.dataset.label || '').trim()) {
        problems.push(`a cell of ${describe(table)} shows without its header's label: ${describe(cell)}`);
      }
    }
  }
  return problems;
}
"""


def layout_problems(page) -> list[str]:
    return page.evaluate(CHECK)
