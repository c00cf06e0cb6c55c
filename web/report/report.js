// phusong report: draws the map, charts and tables from window.PHUSONG (data.js, written by
// `phusong run` / `phusong compare`). No network access: every file is in this folder.
(function () {
  'use strict';
  const D = window.PHUSONG;
  if (!D) { throw new Error('data.js did not define PHUSONG'); }
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s === undefined || s === null ? '' : s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  const fmt = (v, d) => (v === null || v === undefined || Number.isNaN(v)) ? '–' : Number(v).toLocaleString('en-US', { minimumFractionDigits: d || 0, maximumFractionDigits: d || 0 });

  $('title').textContent = D.title || 'phusong report';
  $('subtitle').textContent = D.subtitle || '';
  document.title = (D.title || 'phusong') + ' – phusong report';
  $('footer').textContent = 'phusong ' + (D.version || '') + ' · ' + (D.command || '');

  // ---------------------------------------------------------------- map
  const map = L.map('map', { zoomSnap: 0.25, preferCanvas: false });
  window.phusongMap = map;
  const base = {};
  const over = {};
  if (D.hillshade) {
    base['Terrain (hillshade)'] = L.imageOverlay(D.hillshade.png, D.hillshade.bounds, { opacity: 1.0, alt: 'terrain' });
  }
  const blank = L.layerGroup();
  base['No terrain'] = blank;
  let shownLegend = null;
  const legendFor = {};
  (D.overlays || []).forEach((o) => {
    const layer = L.imageOverlay(o.png, o.bounds, { opacity: 0.72, alt: o.label, className: 'phusong-overlay' });
    legendFor[L.stamp(layer)] = o.legend;
    over[o.label] = layer;
    if (o.default) { shownLegend = o.legend; }
  });
  const firstBase = Object.values(base)[0];
  firstBase.addTo(map);
  (D.overlays || []).forEach((o) => { if (o.default) { over[o.label].addTo(map); } });

  function setLegend(src) {
    $('legend').innerHTML = src ? '<img alt="legend" src="' + esc(src) + '">' : '';
  }
  setLegend(shownLegend);
  map.on('overlayadd', (e) => { const l = legendFor[L.stamp(e.layer)]; if (l) { setLegend(l); } });

  if (D.zones && D.zones.length) {
    const g = L.layerGroup();
    D.zones.forEach((z) => {
      L.polygon(z.ring, { color: '#7b2cbf', weight: 2, dashArray: '6 4', fillOpacity: 0.08 })
        .bindPopup('<b>' + esc(z.name) + '</b><br>5G target ' + fmt(100 * z.target_share, 0) + ' % at ' + fmt(z.threshold_dbm, 0) + ' dBm' +
          (z.achieved_share !== null && z.achieved_share !== undefined ? '<br>planned: ' + fmt(100 * z.achieved_share, 1) + ' %' : ''))
        .addTo(g);
    });
    over['Industrial zones'] = g; g.addTo(map);
  }
  if (D.sites && D.sites.length) {
    const g = L.layerGroup();
    D.sites.forEach((s) => {
      L.circleMarker([s.lat, s.lon], { radius: 3, color: '#333', weight: 1, fillColor: '#fff', fillOpacity: 1 })
        .bindPopup('<b>Tower ' + esc(s.id) + '</b><br>' + esc(s.operators) + '<br>' + esc(s.techs)).addTo(g);
    });
    over['Existing towers (' + D.sites.length + ')'] = g; g.addTo(map);
  }
  if (D.villages && D.villages.length) {
    const g = L.layerGroup();
    const t = D.village_tech;
    D.villages.forEach((v) => {
      const ok = v.covered_after !== null && v.covered_after !== undefined ? v.covered_after : (v.covered || {})[t];
      L.circleMarker([v.lat, v.lon], { radius: 5, color: ok ? '#1b7f3b' : '#c1121f', weight: 2, fillColor: ok ? '#52b788' : '#ff6b6b', fillOpacity: 0.9, className: ok ? 'village-covered' : 'village-uncovered' })
        .bindPopup('<b>' + esc(v.name || v.id) + '</b> (' + esc(v.id) + ')<br>population ' + fmt(v.population) +
          Object.keys(v.signal || {}).map((k) => '<br>' + esc(k) + ': ' + fmt(v.signal[k], 1) + ' dBm' + (v.server && v.server[k] ? ' from ' + esc(v.server[k]) : '')).join(''))
        .addTo(g);
    });
    over['Villages: ' + (t || '') + ' covered / not covered'] = g; g.addTo(map);
  }
  if (D.plan && D.plan.towers && D.plan.towers.length) {
    const g = L.layerGroup();
    const col = { new: '#1d4ed8', shared: '#f77f00', existing: '#6c757d' };
    D.plan.towers.forEach((p) => {
      L.circleMarker([p.lat, p.lon], { radius: 7, color: '#111', weight: 1.5, fillColor: col[p.role] || '#000', fillOpacity: 0.95, className: 'plan-' + p.role })
        .bindPopup('<b>Planned tower ' + esc(p.id) + '</b><br>' + esc(p.role) + '<br>operators: ' + esc(p.operators) + (p.has_5g ? '<br>5G' : '')).addTo(g);
    });
    over[D.plan.label || 'Plan: new (blue), shared (orange), existing (grey)'] = g; g.addTo(map);
  }
  L.control.layers(base, over, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  map.fitBounds(D.bounds);

  // ---------------------------------------------------------------- headline cards
  const cards = (D.headline || []).map((c) => '<div class="card"><div class="v">' + esc(c.value) + '</div><div class="k">' + esc(c.label) + '</div></div>');
  $('headline').innerHTML = cards.join('');

  // ---------------------------------------------------------------- charts (inline SVG)
  function barChart(title, labels, series, unit, maxValue) {
    const W = 460, rowH = 22, left = 110, right = 70, top = 24;
    const n = labels.length, m = series.length;
    const H = top + n * (rowH * m + 8) + 10;
    const max = maxValue || Math.max(1e-9, ...series.flatMap((s) => s.values.filter((v) => v !== null)));
    let svg = '<svg width="100%" viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="' + esc(title) + '">';
    series.forEach((s, k) => {
      svg += '<rect x="' + (left + k * 120) + '" y="4" width="10" height="10" fill="' + s.color + '"/><text x="' + (left + k * 120 + 14) + '" y="13" font-size="11">' + esc(s.name) + '</text>';
    });
    labels.forEach((lab, i) => {
      const y0 = top + i * (rowH * m + 8);
      svg += '<text x="' + (left - 6) + '" y="' + (y0 + rowH * m / 2 + 4) + '" font-size="12" text-anchor="end">' + esc(lab) + '</text>';
      series.forEach((s, k) => {
        const v = s.values[i];
        const w = v === null ? 0 : Math.max(0, (W - left - right) * v / max);
        const y = y0 + k * rowH;
        svg += '<rect class="bar" x="' + left + '" y="' + y + '" width="' + w.toFixed(1) + '" height="' + (rowH - 4) + '" fill="' + s.color + '"/>';
        svg += '<text x="' + (left + w + 4).toFixed(1) + '" y="' + (y + rowH - 8) + '" font-size="11">' + (v === null ? '–' : fmt(v, unit === '%' ? 1 : 0) + (unit ? ' ' + unit : '')) + '</text>';
      });
    });
    svg += '</svg>';
    return '<div class="chart"><h3>' + esc(title) + '</h3>' + svg + '</div>';
  }
  let charts = '';
  const techs = D.technologies || [];
  if (techs.length) {
    charts += barChart('Coverage per technology (share of the area above threshold, and of villages)', techs.map((t) => t.tech),
      [{ name: 'area %', color: '#2a9d8f', values: techs.map((t) => t.covered_pct) },
       { name: 'villages %', color: '#e9c46a', values: techs.map((t) => t.villages_total ? 100 * t.villages_covered / t.villages_total : null) }], '%', 100);
  }
  if (D.before_after && D.before_after.length) {
    charts += barChart(D.before_after_title || 'Before and after', D.before_after.map((r) => r.label),
      [{ name: D.before_name || 'before', color: '#8d99ae', values: D.before_after.map((r) => r.before) },
       { name: D.after_name || 'after', color: '#1d4ed8', values: D.before_after.map((r) => r.after) }], D.before_after_unit || '');
  }
  if (D.sharing && D.sharing.per_operator && D.sharing.per_operator.length) {
    const ops = D.sharing.per_operator;
    const labels = ops.map((o) => o.name + ' alone').concat(['all alone', 'shared plan']);
    const alone = ops.map((o) => o.cost_alone).concat([D.sharing.cost_alone_total, D.sharing.cost_shared]);
    charts += barChart('Sharing savings: cost of building alone vs the shared plan (' + (D.sharing.unit || 'cost units') + ')', labels,
      [{ name: 'cost', color: '#f77f00', values: alone }], '');
  }
  $('charts').innerHTML = charts || '<p>No charts for this run.</p>';

  // ---------------------------------------------------------------- tables
  function table(caption, head, rows) {
    return '<table><caption>' + esc(caption) + '</caption><thead><tr>' + head.map((h) => '<th>' + esc(h) + '</th>').join('') + '</tr></thead><tbody>' +
      rows.map((r) => '<tr>' + r.map((c) => '<td>' + esc(c) + '</td>').join('') + '</tr>').join('') + '</tbody></table>';
  }
  let tables = '';
  if (techs.length) {
    // With shadowing (technologies.<tech>.shadowing_db): the share covered at the scenario's
    // location probability, and the expected covered share.
    const lp = techs.find((t) => t.location_probability);
    const lpHead = lp ? ['covered % at ' + fmt(lp.location_probability.target_pct) + ' % of locations', 'expected covered %'] : [];
    const lpCells = (t) => !lp ? [] : t.location_probability
      ? [fmt(t.location_probability.covered_pct, 1) + ' (σ ' + fmt(t.location_probability.shadowing_sigma_db, 1) + ' dB)', fmt(t.location_probability.mean_probability_pct, 1)]
      : ['–', '–'];
    tables += table('Coverage per technology', ['tech', 'measure', 'sectors', 'threshold dBm', 'covered km²', 'covered %'].concat(lpHead, ['villages covered', 'mean SINR dB']),
      techs.map((t) => [t.tech, t.measure, fmt(t.sectors), fmt(t.threshold_dbm), fmt(t.covered_km2, 1), fmt(t.covered_pct, 1)].concat(lpCells(t),
        [t.villages_total ? fmt(t.villages_covered) + ' / ' + fmt(t.villages_total) : '–', fmt(t.mean_sinr_db, 1)])));
  }
  (D.tables || []).forEach((t) => { tables += table(t.caption, t.head, t.rows); });
  $('tables').innerHTML = tables;
  $('provenance').innerHTML = (D.provenance || []).length
    ? table('Data sources', ['part', 'source'], D.provenance.map((p) => [p[0], p[1]])) : '<p>Not stated.</p>';
  document.body.setAttribute('data-ready', '1');
})();
