// The overview page's script. Corpus text reaches the page through
// textContent (and setAttribute) only, never as markup.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function td(text, cls) { return el('td', cls, text); }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  function fmtScore(s) { return (s > 0 ? '+' : '') + Number(s).toFixed(3); }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

  var actors = D.actors;
  function actorId(i) { return i < 0 ? 'other actors' : actors[i][0]; }
  function actorName(i) { return i < 0 ? 'other actors' : actors[i][1]; }
  function actorLabel(i) { return i < 0 ? 'other actors' : actors[i][1] + ' (' + actors[i][0] + ')'; }

  // ---- 1. the run
  (function run() {
    var r = D.run, facts = $('run-facts');
    [['run id', r.run_id], ['status', r.status], ['program', r.program + ' ' + r.program_version],
     ['schema version', r.schema_version], ['configuration SHA-256', r.config_sha256],
     ['errors / warnings', r.errors + ' / ' + r.warnings]].forEach(function (f) {
      facts.appendChild(el('dt', null, f[0]));
      facts.appendChild(el('dd', f[0].indexOf('SHA') >= 0 ? 'hash' : 'mono', f[1]));
    });
    var tb = $('ledger').tBodies[0];
    Object.keys(r.tables || {}).sort().forEach(function (t) {
      var c = r.tables[t], tr = el('tr');
      var th = el('th', null, t); th.scope = 'row'; tr.appendChild(th);
      tr.appendChild(td(fmt(c.read), 'num')); tr.appendChild(td(fmt(c.published), 'num'));
      tr.appendChild(td(fmt(c.rejected), 'num' + (c.rejected ? ' neg' : '')));
      tb.appendChild(tr);
    });
    tb = $('inputs').tBodies[0];
    r.inputs.forEach(function (i) {
      var tr = el('tr');
      tr.appendChild(td(i[0], 'mono')); tr.appendChild(td(fmt(i[1]), 'num')); tr.appendChild(td(i[2], 'hash'));
      tb.appendChild(tr);
    });
    $('inputs-note').textContent = r.inputs_total > r.inputs.length
      ? 'The first ' + r.inputs.length + ' of ' + fmt(r.inputs_total) + ' input files (' + fmt(r.inputs_bytes) + ' bytes); manifest.json lists every one.'
      : r.inputs_total + ' input files, ' + fmt(r.inputs_bytes) + ' bytes.';
    // folded: at scale the list of hashes would fill the first screens
    $('inputs-summary').textContent = 'Input files: ' + fmt(r.inputs_total) + ' (' + fmt(r.inputs_bytes) +
      ' bytes), each with its SHA-256';
    var n = { pass: 0, warn: 0, fail: 0 };
    tb = $('rules').tBodies[0];
    r.rules.forEach(function (x) {
      n[x[4]] = (n[x[4]] || 0) + 1;
      var tr = el('tr');
      tr.appendChild(td(x[0], 'mono')); tr.appendChild(td(x[1])); tr.appendChild(td(x[2]));
      tr.appendChild(td(fmt(x[3]), 'num')); tr.appendChild(td(x[4], 'outcome-' + x[4])); tr.appendChild(td(x[5]));
      tb.appendChild(tr);
    });
    $('rules-summary').textContent = 'Rule outcomes: ' + n.pass + ' pass, ' + n.warn + ' warn, ' + n.fail + ' fail; generic tests: ' +
      r.tests.filter(function (t) { return t[4] === 'pass'; }).length + ' of ' + r.tests.length + ' pass';
    tb = $('tests').tBodies[0];
    r.tests.forEach(function (x) {
      var tr = el('tr');
      tr.appendChild(td(x[0], 'mono')); tr.appendChild(td(x[1])); tr.appendChild(td((x[2] || []).join(', '), 'mono'));
      tr.appendChild(td(fmt(x[3]), 'num')); tr.appendChild(td(x[4], 'outcome-' + x[4]));
      tb.appendChild(tr);
    });
  })();

  // ---- state: level and period
  var state = { level: 'top', period: 'all' };
  var periodSel = $('period');
  // grouped: all years, then each year (latest first) with its months in
  // calendar order
  (function periods() {
    var all = el('option', null, 'all years'); all.value = 'all'; periodSel.appendChild(all);
    var byYear = {}, years = [];
    D.periods.forEach(function (p) {
      if (p === 'all') return;
      var y = p.slice(0, 4);
      if (!byYear[y]) { byYear[y] = { year: false, months: [] }; years.push(y); }
      if (p.length === 4) byYear[y].year = true; else byYear[y].months.push(p);
    });
    years.sort().reverse();
    years.forEach(function (y) {
      var g = el('optgroup'); g.label = y;
      if (byYear[y].year) { var o = el('option', null, y + ', whole year'); o.value = y; g.appendChild(o); }
      byYear[y].months.sort().forEach(function (m) { var o = el('option', null, m); o.value = m; g.appendChild(o); });
      periodSel.appendChild(g);
    });
  })();
  function viewKey() { return state.level + '|' + state.period; }
  function view() { return D.views[viewKey()] || { nodes: [], edges: [], coop: [], conflict: [], actors_total: 0, edges_total: 0, rows: 0 }; }

  // diverging scale: -1 conflict (red) .. 0 grey .. +1 cooperation (blue)
  var STOPS = [[-1, [178, 24, 43]], [-0.5, [239, 138, 98]], [0, [208, 208, 208]], [0.5, [103, 169, 207]], [1, [33, 102, 172]]];
  function scoreColor(s) {
    s = Math.max(-1, Math.min(1, s));
    for (var i = 1; i < STOPS.length; i++) {
      if (s <= STOPS[i][0]) {
        var a = STOPS[i - 1], b = STOPS[i], t = (s - a[0]) / (b[0] - a[0]);
        var c = a[1].map(function (v, k) { return Math.round(v + t * (b[1][k] - v)); });
        return 'rgb(' + c.join(',') + ')';
      }
    }
    return 'rgb(33,102,172)';
  }

  // ---- 2. the network
  // actor types: one colour each, the same in every view, none of them on
  // the edges' scale (no red or orange of conflict, no blue of cooperation,
  // no neutral grey): greens, teals, yellows and purples
  var TYPE_COLORS = {
    state: '#1b7837', government: '#5aae61', legislature: '#a6dba0', judiciary: '#00695c', military: '#4d9221',
    police: '#80cdc1', intelligence: '#35978f', person: '#762a83', armed_group: '#9970ab', igo: '#c2a5cf',
    ngo: '#d9c400', media: '#8c8c00', business: '#b8e186', civilians: '#e7d4e8', other: '#5e3c99',
    'other actors': '#40004b'
  };
  var TYPE_FALLBACK = '#1b7837';
  var net = echarts.init($('network'), null, { renderer: 'canvas' });
  function tipBox(lines) {
    var box = el('div');
    lines.forEach(function (l, i) { box.appendChild(el('div', i === 0 ? 'tip-head' : null, l)); });
    return box;
  }
  function drawNetwork() {
    var v = view(), c = $('network');
    var types = [];
    v.nodes.forEach(function (n) { var t = n[0] < 0 ? 'other actors' : actors[n[0]][2]; if (types.indexOf(t) < 0) types.push(t); });
    types.sort();
    var maxW = Math.max.apply(null, [1].concat(v.nodes.map(function (n) { return n[1]; })));
    var maxE = Math.max.apply(null, [1].concat(v.edges.map(function (e) { return e[2]; })));
    var nodes = v.nodes.map(function (n, i) {
      var t = n[0] < 0 ? 'other actors' : actors[n[0]][2];
      return { id: String(i), name: actorId(n[0]), actor: n[0], weight: n[1], category: types.indexOf(t),
        symbolSize: 8 + 34 * Math.sqrt(n[1] / maxW) };
    });
    var links = v.edges.map(function (e) {
      return { source: String(e[0]), target: String(e[1]), edge: e,
        lineStyle: { color: scoreColor(e[4]), width: 1 + 5 * Math.sqrt(e[2] / maxE) } };
    });
    c.setAttribute('data-nodes', String(nodes.length));
    c.setAttribute('data-edges', String(links.length));
    c.setAttribute('data-level', state.level);
    c.setAttribute('data-period', state.period);
    c.setAttribute('aria-label', 'Dyad network, ' + (state.level === 'top' ? 'top-level actors' : 'actors as annotated') + ', ' +
      (state.period === 'all' ? 'all years' : state.period) + ': ' + nodes.length + ' actors, ' + links.length + ' directed dyads');
    var note = nodes.length + ' actors and ' + links.length + ' directed dyads.';
    if (v.actors_total > nodes.length) note += ' The ' + (D.limits.nodes - 1) + ' actors with the most events are drawn; the other ' + fmt(v.actors_total - nodes.length + 1) + ' are one node.';
    if (v.edges_total > links.length) note += ' The ' + links.length + ' dyads with the most events of ' + fmt(v.edges_total) + ' are drawn.';
    note += ' Node size: events; colour: actor type; edge colour: score from conflict (red) to cooperation (blue). Hover for figures, click an edge for its evidence.';
    $('network-note').textContent = note;
    net.setOption({
      aria: { enabled: true, label: { description: c.getAttribute('aria-label') } },
      animationDurationUpdate: 300,
      tooltip: {
        confine: true,
        formatter: function (p) {
          if (p.dataType === 'edge') {
            var e = p.data.edge, a = v.nodes[e[0]][0], b = v.nodes[e[1]][0];
            return tipBox([actorLabel(a) + ' → ' + actorLabel(b), 'score ' + fmtScore(e[4]), 'events ' + fmt(e[2]),
              'Goldstein sum ' + e[3]]);
          }
          var d = p.data;
          return tipBox([d.actor < 0 ? 'other actors' : actorLabel(d.actor), d.actor < 0 ? '' : 'type ' + actors[d.actor][2] +
            (actors[d.actor][3] ? ', ' + actors[d.actor][3] : ''), 'events in dyads ' + fmt(d.weight)]);
        }
      },
      legend: [{ data: types, top: 4, left: 4, orient: 'vertical', textStyle: { fontSize: 11 } }],
      series: [{
        type: 'graph', layout: 'force', roam: true, draggable: true,
        categories: types.map(function (t) { return { name: t, itemStyle: { color: TYPE_COLORS[t] || TYPE_FALLBACK } }; }),
        data: nodes, links: links,
        edgeSymbol: ['none', 'arrow'], edgeSymbolSize: [0, 8],
        force: { repulsion: 420, edgeLength: [80, 220], gravity: 0.1, layoutAnimation: true },
        label: { show: true, position: 'right', fontSize: 11, formatter: function (p) { return p.data.name; } },
        lineStyle: { curveness: 0.18, opacity: 0.9 },
        emphasis: { focus: 'adjacency', lineStyle: { width: 4 } }
      }]
    }, true);
  }
  net.on('click', function (p) {
    if (p.dataType !== 'edge') return;
    var v = view(), e = p.data.edge;
    selectDyad(v.nodes[e[0]][0], v.nodes[e[1]][0], { score: e[4], n: e[2], gsum: e[3] });
  });

  // ---- 3. the timeline
  var QUADS = ['verbal cooperation', 'material cooperation', 'verbal conflict', 'material conflict'];
  var QCOL = ['#92c5de', '#2166ac', '#f4a582', '#b2182b'];
  (function timeline() {
    var T = D.timeline, c = $('timeline'), series = [];
    var total = T.counts.day + T.counts.month_or_approximate + T.counts.coarse;
    c.setAttribute('data-months', String(T.months.length));
    c.setAttribute('data-events', String(total));
    $('timeline-note').textContent = 'Events per month by QuadClass, ' + fmt(total) + ' in all: ' + fmt(T.counts.day) +
      ' dated to the day (solid), ' + fmt(T.counts.month_or_approximate) + ' known to the month only or approximate (pale; counted in their month, not drawn on a day), ' +
      fmt(T.counts.coarse) + ' dated less precisely than a month (a season, a year, a longer interval: spread evenly over their months, lines).';
    if (!T.months.length) return;
    var chart = echarts.init(c, null, { renderer: 'canvas' });
    QUADS.forEach(function (q, i) {
      series.push({ name: q + ' (day)', type: 'bar', stack: 'm', data: T.day[i], itemStyle: { color: QCOL[i] }, barCategoryGap: '15%' });
    });
    QUADS.forEach(function (q, i) {
      series.push({ name: q + ' (month or approximate)', type: 'bar', stack: 'm', data: T.month[i], itemStyle: { color: QCOL[i], opacity: 0.4 } });
    });
    QUADS.forEach(function (q, i) {
      series.push({ name: q + ' (coarser, spread)', type: 'line', data: T.coarse[i], showSymbol: false, lineStyle: { color: QCOL[i], type: 'dashed', width: 1.5 }, itemStyle: { color: QCOL[i] } });
    });
    var many = T.months.length > 48;
    // open on the months holding the bulk of the events (5 % to 99.5 % of them); the slider shows all
    var per = T.months.map(function (_, m) {
      var n = 0;
      for (var q = 0; q < 4; q++) n += T.day[q][m] + T.month[q][m] + T.coarse[q][m];
      return n;
    });
    var sum = per.reduce(function (a, b) { return a + b; }, 0), acc = 0, lo = 0, hi = per.length - 1;
    per.forEach(function (n, m) { if (acc < 0.05 * sum) lo = m; acc += n; if (acc - n < 0.995 * sum) hi = m; });
    var span = Math.max(1, per.length - 1);
    chart.setOption({
      aria: { enabled: true, label: { description: $('timeline-note').textContent } },
      tooltip: { trigger: 'axis', confine: true },
      legend: { type: 'scroll', top: 0, textStyle: { fontSize: 11 } },
      grid: { left: 50, right: 20, top: 50, bottom: many ? 70 : 30 },
      xAxis: { type: 'category', data: T.months },
      yAxis: { type: 'value', name: 'events' },
      dataZoom: many ? [{ type: 'slider', start: 100 * Math.max(0, lo - 1) / span, end: 100 * Math.min(span, hi + 1) / span }, { type: 'inside' }] : [],
      series: series
    });
    window.addEventListener('resize', function () { chart.resize(); });
  })();

  // ---- 4. top dyads, sortable
  var COLS = [['dyad', 'str'], ['score', 'num'], ['events', 'num'], ['Goldstein sum', 'num'], ['first', 'str'], ['last', 'str']];
  function dyadTable(t, rows) {
    var cap = t.caption; clear(t); t.appendChild(cap);
    var head = el('thead'), hr = el('tr'), body = el('tbody');
    var sort = { col: null, dir: 1 };
    var data = rows.map(function (r) { return { r: r, key: [actorLabel(r[0]) + ' → ' + actorLabel(r[1]), r[2], r[3], r[4], r[5], r[6]] }; });
    function fill() {
      clear(body);
      if (!data.length) { var tr = el('tr'), c = td('none at this level and period'); c.colSpan = COLS.length; tr.appendChild(c); body.appendChild(tr); }
      data.forEach(function (d) {
        var r = d.r, tr = el('tr');
        var th = el('th'); th.scope = 'row';
        var b = el('button', 'link', d.key[0]); b.type = 'button';
        b.setAttribute('data-a', actorId(r[0])); b.setAttribute('data-b', actorId(r[1]));
        b.addEventListener('click', function () { selectDyad(r[0], r[1], { score: r[2], n: r[3], gsum: r[4] }); });
        th.appendChild(b); tr.appendChild(th);
        tr.appendChild(td(fmtScore(r[2]), 'num ' + (r[2] > 0 ? 'pos' : 'neg')));
        tr.appendChild(td(fmt(r[3]), 'num')); tr.appendChild(td(r[4], 'num'));
        tr.appendChild(td(r[5], 'mono')); tr.appendChild(td(r[6], 'mono'));
        body.appendChild(tr);
      });
    }
    COLS.forEach(function (c, i) {
      var th = el('th', c[1] === 'num' ? 'num' : null); th.scope = 'col';
      var b = el('button', null, c[0]); b.type = 'button';
      b.addEventListener('click', function () {
        sort.dir = sort.col === i ? -sort.dir : (c[1] === 'num' ? -1 : 1); sort.col = i;
        data.sort(function (x, y) { var a = x.key[i], z = y.key[i]; return (a < z ? -1 : a > z ? 1 : 0) * sort.dir; });
        Array.prototype.forEach.call(hr.children, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
        fill();
      });
      th.appendChild(b); hr.appendChild(th);
    });
    head.appendChild(hr); t.appendChild(head); t.appendChild(body);
    fill();
  }
  function drawTables() {
    var v = view();
    dyadTable($('top-coop'), v.coop);
    dyadTable($('top-conflict'), v.conflict);
  }

  // ---- 5. evidence
  function dateText(e) {
    var p = e.precision, s = e.start, d;
    if (p === 'day') d = s;
    else if (p === 'month') d = s.slice(0, 7);
    else if (p === 'year') d = s.slice(0, 4);
    else d = s + ' – ' + e.end;
    d += ' (' + p + (e.approximate ? ', approximate' : '') + (e.uncertain ? ', uncertain' : '') + ')';
    return d;
  }
  function selectDyad(a, b, figures) {
    var list = $('evidence-list'), sec = $('evidence');
    clear(list);
    var key = state.level + '|' + state.period + '|' + a + '|' + b;
    var idx = a >= 0 && b >= 0 ? D.evidence.dyads[key] : undefined;
    sec.setAttribute('data-dyad', actorId(a) + '->' + actorId(b));
    $('evidence-title').textContent = actorLabel(a) + ' → ' + actorLabel(b) + ' · ' +
      (state.level === 'top' ? 'top-level actors' : 'actors as annotated') + ' · ' + (state.period === 'all' ? 'all years' : state.period);
    $('evidence-summary').textContent = 'score ' + fmtScore(figures.score) + ', ' + fmt(figures.n) + ' events, Goldstein sum ' + figures.gsum + '.';
    if (!idx) {
      sec.setAttribute('data-count', '0');
      list.appendChild(el('li', 'note', a < 0 || b < 0
        ? 'This edge joins actors folded into one node; their reports are in events.parquet.'
        : 'The page carries the reports of ' + D.limits.evidence_dyads + ' dyads at most (the top dyads first); this one\'s are in events.parquet.'));
      return;
    }
    sec.setAttribute('data-count', String(idx.length));
    idx.forEach(function (i) {
      var e = D.evidence.events[i], li = el('li');
      var head = el('div');
      head.appendChild(el('strong', null, e.code + ' ' + e.label));
      if (e.mode !== 'asserted') head.appendChild(el('span', 'badge ' + e.mode, e.mode));
      head.appendChild(el('span', 'meta', ' · ' + dateText(e) + (e.date_text ? ' · “' + e.date_text + '”' : '')));
      li.appendChild(head);
      var q = el('blockquote');
      q.appendChild(document.createTextNode(e.pre));
      q.appendChild(el('mark', null, e.span));
      q.appendChild(document.createTextNode(e.post));
      li.appendChild(q);
      li.appendChild(el('div', 'meta', e.src + ' → ' + e.tgt + ' · Goldstein ' + e.goldstein + ' · article ' + e.article +
        (e.title ? ': ' + e.title : '') + ' · ' + e.file + ':' + e.line + (e.passage ? '' : ' · (the evidence alone: the text was not at hand)')));
      list.appendChild(li);
    });
    if (idx.length >= D.limits.evidence_per_dyad) list.appendChild(el('li', 'note', 'The latest ' + idx.length + ' reports; events.parquet has every one.'));
  }

  // ---- 6. validation
  (function validation() {
    var V = D.validation, tb = $('problems').tBodies[0];
    if (!V.problems.length) { var tr0 = el('tr'), c0 = td('no problems'); c0.colSpan = 4; tr0.appendChild(c0); tb.appendChild(tr0); }
    V.problems.forEach(function (p) {
      var tr = el('tr');
      tr.appendChild(td(p[0], 'mono')); tr.appendChild(td(p[1], p[1] === 'error' ? 'neg' : null)); tr.appendChild(td(p[2] || '–'));
      tr.appendChild(td(fmt(p[3]), 'num')); tb.appendChild(tr);
    });
    tb = $('rejects').tBodies[0];
    if (!V.rejects.rows.length) { var tr1 = el('tr'), c1 = td('no row was rejected'); c1.colSpan = 5; tr1.appendChild(c1); tb.appendChild(tr1); }
    V.rejects.rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(td(r[1] + ':' + r[2] + (r[3] !== null ? ':' + r[3] : ''), 'mono'));
      tr.appendChild(td(r[0])); tr.appendChild(td(r[4], 'mono')); tr.appendChild(td(r[5])); tr.appendChild(td(r[6] || ''));
      tb.appendChild(tr);
    });
    $('rejects-note').textContent = V.rejects.total > V.rejects.rows.length
      ? 'The first ' + V.rejects.rows.length + ' of ' + fmt(V.rejects.total) + ' rejected rows; rejects.parquet has every one.'
      : fmt(V.rejects.total) + ' rejected row(s).';
    $('validation-summary').textContent = D.run.errors + ' error(s) and ' + D.run.warnings + ' warning(s) in this run; ' +
      fmt(V.rejects.total) + ' raw row(s) rejected.';
  })();

  function redraw() { drawNetwork(); drawTables(); }
  $('level').addEventListener('change', function (e) { state.level = e.target.value; redraw(); });
  periodSel.addEventListener('change', function (e) { state.period = e.target.value; redraw(); });
  window.addEventListener('resize', function () { net.resize(); });
  redraw();
  document.body.setAttribute('data-ready', '1');
})();
