// The layout check of tests/web/test_kiosk_layout.py, run in the page: a list of problems.
({zoomed}) => {
  const problems = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
    (el.dataset.need ? `[${el.dataset.need}]` : '') + ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden';
  };
  const idle = document.querySelector('#idle:not([hidden])');
  const roots = idle ? [idle] : [...document.querySelectorAll('#bar, #screen, #actions:not([hidden])')];
  const all = roots.flatMap((r) => [r, ...r.querySelectorAll('*')]).filter(shown);
  for (const el of all) {
    if (el.closest('svg')) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'inline' || cs.display === 'contents') continue;
    const scrolls = el.id === 'screen';
    if (el.scrollWidth > el.clientWidth + 1) problems.push('wider than its box: ' + name(el));
    if (!scrolls && el.scrollHeight > el.clientHeight + 1) problems.push('taller than its box: ' + name(el));
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > vw + 1) problems.push('outside the viewport: ' + name(el));
  }
  const screen = document.getElementById('screen');
  if (!idle && !zoomed && screen.scrollHeight > screen.clientHeight + 1) {
    problems.push(`screen ${screen.dataset.screen} scrolls at 100 %: ${screen.scrollHeight} > ${screen.clientHeight}`);
  }
  // What the screen scrolls out of sight is clipped: only the visible part can overlap.
  const view = screen.getBoundingClientRect();
  const clip = (el) => {
    const r = el.getBoundingClientRect();
    if (!screen.contains(el)) return r;
    const top = Math.max(r.top, view.top), bottom = Math.min(r.bottom, view.bottom);
    return { left: r.left, right: r.right, top, bottom: Math.max(top, bottom) };
  };
  const controls = all.filter((el) => el.matches('button, input, a[href], .tile'));
  const rects = controls.map(clip);
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      if (controls[i].contains(controls[j]) || controls[j].contains(controls[i])) continue;
      const a = rects[i], b = rects[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) problems.push('overlap: ' + name(controls[i]) + ' / ' + name(controls[j]));
    }
  }
  const primary = idle ? idle.querySelectorAll('.btn.primary')
    : document.querySelectorAll('#actions .btn.primary, #screen .btn.lang');
  for (const el of primary) {
    const r = el.getBoundingClientRect();
    if (r.top < 0 || r.bottom > vh + 1 || r.left < 0 || r.right > vw + 1) {
      problems.push('primary action not fully on screen: ' + name(el));
    }
  }
  return problems;
}
