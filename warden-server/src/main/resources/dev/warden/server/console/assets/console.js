// Warden console: the little script the pages need (loaded from 'self'; the CSP allows no inline script).
(function () {
  'use strict';

  // Charts: <div class="chart" data-series='{"x":[...], "series":{"name":[...]}}'>, drawn with uPlot.
  function drawCharts(root) {
    if (typeof uPlot === 'undefined') { return; }
    root.querySelectorAll('.chart[data-series]').forEach(function (el) {
      if (el.dataset.drawn) { return; }
      el.dataset.drawn = '1';
      var data = JSON.parse(el.dataset.series);
      var names = Object.keys(data.series);
      var colors = ['#2456c9', '#b42318', '#b26b00', '#1a7f4b', '#6941c6'];
      var opts = {
        width: Math.max(el.clientWidth, 300), height: 220,
        scales: { x: { time: data.time !== false } },
        series: [{}].concat(names.map(function (n, i) { return { label: n, stroke: colors[i % colors.length], width: 2 }; })),
        axes: [{}, { size: 60 }]
      };
      new uPlot(opts, [data.x].concat(names.map(function (n) { return data.series[n]; })), el);
    });
  }

  // Forms that change something important ask first: <form data-confirm="...">.
  document.addEventListener('submit', function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  }, true);

  // Live tails: <tbody data-tail="url"> receives server-sent events named "audit", each a
  // server-rendered (escaped) table row, newest first. EventSource reconnects by itself and sends
  // Last-Event-ID, so a reconnect resumes after the last row shown.
  function startTails(root) {
    root.querySelectorAll('[data-tail]').forEach(function (el) {
      if (el.dataset.started) { return; }
      el.dataset.started = '1';
      var source = new EventSource(el.dataset.tail);
      source.addEventListener('audit', function (e) { el.insertAdjacentHTML('afterbegin', e.data); });
      window.addEventListener('pagehide', function () { source.close(); });
    });
  }

  // An address pasted with an unencoded SPIFFE ID (?id=spiffe://...) is refused by the web server
  // before the console sees it; its error page (<a id="reencode">) retries with the query encoded.
  function reencode() {
    var link = document.getElementById('reencode');
    if (!link || !location.search) { return; }
    var parts = location.search.substring(1).split('&').map(function (p) {
      var i = p.indexOf('=');
      try {
        var k = decodeURIComponent((i < 0 ? p : p.substring(0, i)).replace(/\+/g, ' '));
        return i < 0 ? encodeURIComponent(k)
          : encodeURIComponent(k) + '=' + encodeURIComponent(decodeURIComponent(p.substring(i + 1).replace(/\+/g, ' ')));
      } catch (e) { return null; }
    });
    if (parts.indexOf(null) >= 0) { return; }
    var url = location.pathname + '?' + parts.join('&');
    link.href = url;
    if (url !== location.pathname + location.search && location.pathname.indexOf('/console/') === 0) { location.replace(url); }
  }

  document.addEventListener('DOMContentLoaded', function () { reencode(); drawCharts(document); startTails(document); });
  document.addEventListener('htmx:afterSettle', function (e) { drawCharts(e.target); startTails(e.target); });
})();
