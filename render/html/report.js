// omnistat report.html: sortable tables and the per-stage timeline (zoom, pan, hover).
// Vanilla, no network. The timeline data is aggregated by omnistat: GPU lanes hold busy intervals
// as [gap, length, busy per mille] and step lanes [gap, length, flags, steps] in ticks of `unit` ns.
(function () {
  'use strict';

  function sep(s) { return s.replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  // ms formats a duration or time in ms with the decimals its size needs.
  function ms(v, d) {
    var a = Math.abs(v);
    if (d === undefined) d = a === 0 ? 0 : a >= 1000 ? 1 : a >= 10 ? 2 : a >= 0.1 ? 3 : 4;
    var p = v.toFixed(d).split('.');
    return sep(p[0]) + (p[1] ? '.' + p[1] : '') + ' ms';
  }
  function niceStep(span, n) {
    var raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var ms = [1, 2, 5, 10];
    for (var i = 0; i < ms.length; i++) if (ms[i] * mag >= raw) return ms[i] * mag;
    return 10 * mag;
  }

  // ---- sortable tables: a click on a header sorts by that column (numbers by value)
  function sortable(table) {
    var ths = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(ths, function (th, col) {
      th.classList.add('sort');
      th.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(ths, function (o) { o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var key = function (r) {
          var c = r.cells[col]; if (!c) return '';
          return c.hasAttribute('data-v') ? parseFloat(c.getAttribute('data-v')) : c.textContent;
        };
        rows.sort(function (x, y) {
          var a = key(x), b = key(y), r = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  // ---- the timeline
  var LABEL = 200, ROW = 22, AXIS = 26, PAD = 10;

  function Timeline(root) {
    var data = JSON.parse(root.querySelector('script.tl-data').textContent);
    var canvas = root.querySelector('canvas'), tip = root.querySelector('.tl-tip');
    var out = root.querySelector('output'), ctx = canvas.getContext('2d');
    var unit = data.unit / 1e6; // ms per tick
    var full = Math.max(data.span, 1), view = { a: 0, b: full }, W = 0, H = 0;
    var lanes = data.lanes.map(function (l) {
      var k = l.kind === 'steps' ? 4 : 3, n = Math.floor(l.iv.length / k), t = 0;
      var s = new Float64Array(n), e = new Float64Array(n), v = new Float64Array(n), c = new Float64Array(n), first = new Float64Array(n);
      var count = 0;
      for (var i = 0; i < n; i++) {
        t += l.iv[i * k]; s[i] = t; t += l.iv[i * k + 1]; e[i] = t; v[i] = l.iv[i * k + 2];
        c[i] = k === 4 ? l.iv[i * k + 3] : 1; first[i] = count + 1; count += c[i]; // the next gap counts from this end
      }
      return { label: l.label, color: l.color, kind: l.kind, s: s, e: e, v: v, c: c, first: first, total: count };
    });
    // step lanes of replicas overlap: hit tests scan back over a running maximum of the ends
    lanes.forEach(function (l) {
      l.maxe = new Float64Array(l.e.length);
      for (var i = 0, m = -Infinity; i < l.e.length; i++) { m = Math.max(m, l.e[i]); l.maxe[i] = m; }
    });
    var hatch = {};
    function pattern(color) {
      if (hatch[color]) return hatch[color];
      var p = document.createElement('canvas'); p.width = p.height = 6;
      var g = p.getContext('2d'); g.fillStyle = '#ffffff'; g.fillRect(0, 0, 6, 6);
      g.strokeStyle = color; g.lineWidth = 2; g.beginPath(); g.moveTo(-1, 7); g.lineTo(7, -1); g.stroke();
      return (hatch[color] = ctx.createPattern(p, 'repeat'));
    }
    function px(t) { return LABEL + (t - view.a) / (view.b - view.a) * (W - LABEL - PAD); }
    function tAt(x) { return view.a + (x - LABEL) / (W - LABEL - PAD) * (view.b - view.a); }
    function lower(arr, t) { var lo = 0, hi = arr.length; while (lo < hi) { var m = (lo + hi) >> 1; if (arr[m] < t) lo = m + 1; else hi = m; } return lo; }

    function draw() {
      var dpr = window.devicePixelRatio || 1;
      W = Math.max(root.clientWidth - 14, LABEL + 100); H = AXIS + ROW * lanes.length + 4;
      canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr); canvas.style.height = H + 'px';
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, W, H); ctx.font = '12px system-ui, sans-serif'; ctx.textBaseline = 'middle';
      // axis: round times in ms since the window's start
      var spanMs = (view.b - view.a) * unit, step = niceStep(spanMs, Math.max(2, Math.floor((W - LABEL) / 110)));
      ctx.fillStyle = '#5f6368'; ctx.strokeStyle = '#e6e8eb'; ctx.lineWidth = 1; ctx.textAlign = 'center';
      for (var m = Math.ceil(view.a * unit / step) * step; m <= view.b * unit; m += step) {
        var x = Math.round(px(m / unit)) + 0.5;
        ctx.beginPath(); ctx.moveTo(x, AXIS - 6); ctx.lineTo(x, H); ctx.stroke();
        ctx.fillText(ms(m, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))).replace(' ms', ''), x, AXIS / 2 - 2);
      }
      ctx.textAlign = 'left'; ctx.fillText('ms', 4, AXIS / 2 - 2);
      lanes.forEach(function (l, li) {
        var y = AXIS + li * ROW;
        if (li % 2) { ctx.fillStyle = '#fafbfc'; ctx.fillRect(0, y, W, ROW); }
        ctx.fillStyle = l.color; ctx.fillRect(4, y + 6, 10, 10);
        ctx.fillStyle = '#1d1d1f'; var text = l.label;
        while (text.length > 4 && ctx.measureText(text).width > LABEL - 26) text = text.slice(0, -2);
        if (text !== l.label) text += '…';
        ctx.fillText(text, 20, y + ROW / 2);
        ctx.save(); ctx.beginPath(); ctx.rect(LABEL, y, W - LABEL - PAD, ROW); ctx.clip();
        var i = Math.max(0, lower(l.maxe, view.a)), lastX = -1;
        for (; i < l.s.length && l.s[i] <= view.b; i++) {
          if (l.e[i] < view.a) continue;
          var x0 = px(l.s[i]), x1 = Math.max(px(l.e[i]), x0 + 1);
          if (l.kind === 'steps') {
            var warm = l.v[i] & 1;
            ctx.fillStyle = warm ? pattern(l.color) : l.color;
            ctx.globalAlpha = warm ? 1 : (l.first[i] % 2 ? 0.35 : 0.6);
            ctx.fillRect(x0, y + 4, x1 - x0, ROW - 8);
            if (x1 - x0 > 3) { ctx.globalAlpha = 1; ctx.fillStyle = '#ffffff'; ctx.fillRect(x0, y + 4, 1, ROW - 8); }
          } else {
            if (x1 < lastX + 0.5 && x1 - x0 < 1) continue; // already a pixel here
            ctx.fillStyle = l.color; ctx.globalAlpha = 0.25 + 0.75 * l.v[i] / 1000;
            ctx.fillRect(x0, y + 3, x1 - x0, ROW - 6); lastX = x1;
          }
        }
        ctx.globalAlpha = 1; ctx.restore();
      });
      var a = view.a * unit, b = view.b * unit;
      out.setAttribute('data-start-ms', a.toFixed(6)); out.setAttribute('data-end-ms', b.toFixed(6));
      out.setAttribute('data-full-ms', (full * unit).toFixed(6));
      out.textContent = 'showing ' + ms(a) + ' – ' + ms(b) + ' (' + (100 * (view.b - view.a) / full).toPrecision(3) + '% of ' + ms(full * unit) + ')';
    }

    function setView(a, b) {
      var w = Math.min(Math.max(b - a, Math.max(full / 1e5, 1)), full);
      a = Math.min(Math.max(a, 0), full - w);
      view = { a: a, b: a + w }; draw();
    }
    // zoom scales the visible window by f (< 1 zooms in) around time c (the middle by default)
    function zoom(f, c) {
      if (c === undefined) c = (view.a + view.b) / 2;
      var r = (c - view.a) / (view.b - view.a), w = (view.b - view.a) * f;
      setView(c - r * w, c - r * w + w);
    }
    function pan(frac) { var w = view.b - view.a; setView(view.a + frac * w, view.b + frac * w); }
    function centre(frac) { var w = view.b - view.a; setView(frac * full - w / 2, frac * full + w / 2); }

    root.querySelector('.tl-bar').addEventListener('click', function (e) {
      var act = e.target.getAttribute && e.target.getAttribute('data-act');
      if (act === 'in') zoom(0.5); else if (act === 'out') zoom(2); else if (act === 'reset') setView(0, full);
      else if (act === 'left') pan(-0.25); else if (act === 'right') pan(0.25);
    });
    canvas.addEventListener('wheel', function (e) {
      var r = canvas.getBoundingClientRect(), x = e.clientX - r.left;
      if (x < LABEL) return;
      e.preventDefault();
      if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan(e.deltaX / (W - LABEL));
      else zoom(Math.pow(1.0015, e.deltaY), tAt(x));
    }, { passive: false });
    var drag = null;
    canvas.addEventListener('pointerdown', function (e) {
      drag = { x: e.clientX, a: view.a, b: view.b }; canvas.classList.add('drag');
      if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointerup', function () { drag = null; canvas.classList.remove('drag'); });
    canvas.addEventListener('dblclick', function (e) {
      var r = canvas.getBoundingClientRect(); zoom(e.shiftKey ? 2 : 0.5, tAt(e.clientX - r.left));
    });
    canvas.addEventListener('pointerleave', function () { tip.style.display = 'none'; });
    canvas.addEventListener('pointermove', function (e) {
      var r = canvas.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
      if (drag) {
        var dt = (e.clientX - drag.x) / (W - LABEL - PAD) * (drag.b - drag.a);
        setView(drag.a - dt, drag.b - dt); tip.style.display = 'none'; return;
      }
      var li = Math.floor((y - AXIS) / ROW), l = lanes[li], text = '';
      if (l && x >= LABEL) {
        var t = tAt(x), tol = 3 * (view.b - view.a) / (W - LABEL - PAD), best = -1;
        for (var i = Math.min(lower(l.s, t + tol), l.s.length) - 1; i >= 0 && l.maxe[i] >= t - tol; i--) {
          if (l.e[i] >= t - tol) { best = i; if (l.s[i] <= t && l.e[i] >= t) break; }
        }
        if (best >= 0) {
          var s = l.s[best] * unit, d = (l.e[best] - l.s[best]) * unit;
          text = l.label + '\n' + ms(s) + ' – ' + ms(s + d) + '  (' + ms(d) + ')';
          if (l.kind === 'steps') {
            var n = l.c[best], f = l.first[best];
            text += '\n' + (n > 1 ? 'steps ' + sep(String(f)) + '–' + sep(String(f + n - 1)) + ' of ' + sep(String(l.total)) + ', mean ' + ms(d / n) + ' (span)'
              : 'step ' + sep(String(f)) + ' of ' + sep(String(l.total)));
            if (l.v[best] & 1) text += '\nwarm-up';
            if (l.v[best] & 2) text += '\nprefill';
          } else {
            text += '\nGPU busy ' + ms(l.v[best] / 1000 * d) + ' (' + (l.v[best] / 10).toFixed(1) + '%)';
          }
        }
      }
      if (!text) { tip.style.display = 'none'; return; }
      tip.textContent = text; tip.style.display = 'block';
      var left = x + 14; if (left + tip.offsetWidth > root.clientWidth) left = x - tip.offsetWidth - 10;
      tip.style.left = left + 'px'; tip.style.top = (canvas.offsetTop + y + 14) + 'px';
    });
    // hover moves the pointer over the middle of lane li's first visible interval, through the
    // same event a mouse sends (for a link to a span, and for the browser test)
    function hover(li) {
      var l = lanes[li]; if (!l) return;
      var i = lower(l.maxe, view.a); if (i >= l.s.length) return;
      var r = canvas.getBoundingClientRect(), t = (Math.max(l.s[i], view.a) + Math.min(l.e[i], view.b)) / 2;
      canvas.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, clientX: r.left + px(t), clientY: r.top + AXIS + li * ROW + ROW / 2 }));
    }
    window.addEventListener('resize', draw);
    draw();
    return { zoom: zoom, centre: centre, hover: hover };
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);
    var tls = Array.prototype.map.call(document.querySelectorAll('.timeline'), Timeline);
    // #zoom=F (and at=P, a fraction of the window; hover=L, a lane): start zoomed, e.g. for a link
    // or a test
    var h = location.hash, z = /[#&]zoom=([0-9.]+)/.exec(h), at = /[#&]at=([0-9.]+)/.exec(h);
    if (z && parseFloat(z[1]) > 0) {
      tls.forEach(function (tl) {
        tl.zoom(parseFloat(z[1]));
        if (at) tl.centre(parseFloat(at[1]));
      });
    }
    var hv = /[#&]hover=([0-9]+)/.exec(h);
    if (hv) tls.forEach(function (tl) { tl.hover(parseInt(hv[1], 10)); });
    document.body.setAttribute('data-ready', '1');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
