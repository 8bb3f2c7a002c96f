// newswatch dashboard drawings: the stacked timeline, the map and the actor network. Each reads the JSON
// endpoint named in its element's data-src attribute and draws SVG; the page's tables already hold the same
// numbers, so without this file (or without the npm assets for the map and network) nothing is lost but
// the drawing. No inline script or style is used anywhere, so the pages run under a strict CSP.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd"];
  var QUAD_COLOURS = {"verbal-cooperation": "#6baed6", "material-cooperation": "#08519c",
    "verbal-conflict": "#fc9272", "material-conflict": "#a50f15"};

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function title(node, text) { el("title", {}, node).textContent = text; }
  function link(base, params) {
    var url = new URL(base, window.location.origin);
    Object.keys(params).forEach(function (k) {
      if (params[k] === null || params[k] === undefined || params[k] === "") url.searchParams.delete(k);
      else url.searchParams.set(k, params[k]);
    });
    return url.pathname + url.search;
  }
  function say(box, text, cls) {
    var p = document.createElement("p");
    p.className = cls || "muted";
    p.textContent = text;
    box.appendChild(p);
  }
  function load(box, draw) {
    box.setAttribute("aria-busy", "true");
    fetch(box.dataset.src, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (res) {
        box.removeAttribute("aria-busy");
        if (!res[0] || !res[1].ok) { say(box, res[1].error || "could not load the data", "error"); return; }
        draw(box, res[1]);
        box.dataset.drawn = "true";
      })
      .catch(function (err) { box.removeAttribute("aria-busy"); say(box, "could not load the data: " + err, "error"); });
  }
  function nextPeriod(iso, bucket) {
    var d = new Date(iso + "T00:00:00Z");
    if (bucket === "day") d.setUTCDate(d.getUTCDate() + 1);
    else if (bucket === "week") d.setUTCDate(d.getUTCDate() + 7);
    else if (bucket === "month") d.setUTCMonth(d.getUTCMonth() + 1);
    else d.setUTCFullYear(d.getUTCFullYear() + 1);
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
  }

  // ------------------------------------------------------------------------------------ timeline
  function drawTimeline(box, data) {
    var periods = data.periods, series = data.series;
    if (!periods.length || !series.length) { say(box, "No dated events match."); return; }
    var width = Math.max(box.clientWidth || 900, 320), height = 240, left = 44, bottom = 22, top = 8;
    var totals = periods.map(function (_, i) { return series.reduce(function (s, x) { return s + x.counts[i]; }, 0); });
    var max = Math.max.apply(null, totals.concat([1]));
    var svg = el("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height, "class": "timeline-svg"}, box);
    var plotW = width - left - 8, plotH = height - top - bottom, bw = plotW / periods.length;
    [0, 0.5, 1].forEach(function (f) {
      var y = top + plotH * (1 - f);
      el("line", {x1: left, x2: width - 8, y1: y, y2: y, "class": "grid"}, svg);
      el("text", {x: left - 6, y: y + 4, "text-anchor": "end", "class": "axis"}, svg).textContent = Math.round(max * f);
    });
    var colour = function (key, i) { return data.by === "quad" ? (QUAD_COLOURS[key] || "#999") : PALETTE[i % PALETTE.length]; };
    periods.forEach(function (p, i) {
      if (!totals[i]) return;
      var until = nextPeriod(p, data.bucket);
      var a = el("a", {href: link(box.dataset.link, {since: p, until: until, cursor: null}), "class": "bar"}, svg);
      title(a, p + " – " + until + ": " + totals[i] + " events");
      var y = top + plotH;
      series.forEach(function (s, k) {
        var n = s.counts[i];
        if (!n) return;
        var h = plotH * n / max;
        y -= h;
        el("rect", {x: left + i * bw + (bw > 4 ? 1 : 0), y: y, width: Math.max(bw - (bw > 4 ? 2 : 0), 1), height: h, fill: colour(s.key, k)}, a);
      });
    });
    var step = Math.max(1, Math.ceil(periods.length / Math.floor(plotW / 80)));
    periods.forEach(function (p, i) {
      if (i % step) return;
      var label = data.bucket === "year" ? p.slice(0, 4) : data.bucket === "month" ? p.slice(0, 7) : p;
      el("text", {x: left + i * bw, y: height - 6, "class": "axis"}, svg).textContent = label;
    });
    var legend = document.createElement("ul");
    legend.className = "legend";
    series.forEach(function (s, k) {
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.backgroundColor = colour(s.key, k);  // CSSOM, allowed under a strict style-src
      var a = document.createElement("a");
      var params = data.by === "quad" ? {quad: s.key, type: null} : data.by === "type" ? {type: s.key, quad: null} : {};
      params.cursor = null;
      a.href = link(box.dataset.link, params);
      a.textContent = s.key + " " + s.total;
      li.appendChild(sw); li.appendChild(a); legend.appendChild(li);
    });
    box.appendChild(legend);
  }

  // ------------------------------------------------------------------------------------ map
  // Countries are drawn once inside a group that zooming scales and moves; the points are clustered again on a
  // pixel grid at every zoom, so a cluster over Ukraine at world scale opens into its cities when zoomed in.
  // Zoom: the +, - and reset buttons, the mouse wheel, or the keyboard on the focused map (+, -, 0 and the
  // arrow keys); pan: drag, or the arrow keys.
  function drawMap(box, data) {
    if (!window.d3 || !window.topojson) { say(box, "The map needs the dashboard assets: run make assets."); return; }
    fetch(box.dataset.world).then(function (r) { return r.json(); }).then(function (world) {
      var width = Math.max(box.clientWidth || 900, 320), height = Math.round(width * 0.5);
      var land = window.topojson.feature(world, world.objects.countries);
      var projection = window.d3.geoNaturalEarth1().fitSize([width, height], {type: "Sphere"});
      var path = window.d3.geoPath(projection);
      var tools = document.createElement("div");
      tools.className = "map-tools";
      box.appendChild(tools);
      var svg = el("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height, "class": "map-svg",
        tabindex: "0", "aria-label": "map: + and - zoom, the arrow keys move, 0 resets"}, box);
      var world_ = el("g", {"class": "map-world"}, svg);
      var dots = el("g", {"class": "map-points"}, svg);
      el("path", {d: path({type: "Sphere"}), "class": "sphere"}, world_);
      var areas = {};
      data.areas.forEach(function (a) { if (a.numeric) areas[a.numeric] = a; });
      var maxArea = Math.max.apply(null, data.areas.map(function (a) { return a.events; }).concat([1]));
      land.features.forEach(function (f) {
        var a = areas[f.id];
        var shape;
        if (a) {
          var link_ = el("a", {href: link(box.dataset.link, {place: a.place, cursor: null}), "class": "country-link"}, world_);
          var level = Math.ceil(5 * Math.log(1 + a.events) / Math.log(1 + maxArea));
          shape = el("path", {d: path(f), "class": "country shade-" + level}, link_);
          title(link_, a.name + ": " + a.events + " events placed at country level");
        } else {
          shape = el("path", {d: path(f), "class": "country"}, world_);
          title(shape, (f.properties && f.properties.name) || "");
        }
      });
      var points = data.points.map(function (p) { return {p: p, xy: projection([p.lon, p.lat])}; })
        .filter(function (q) { return q.xy; });
      var detail = document.getElementById("map-detail");
      var view = {k: 1, x: 0, y: 0};

      function showPlaces(c) {
        detail.textContent = "";
        var h = document.createElement("h3");
        h.textContent = c.places.length + " places, " + c.events + " events";
        detail.appendChild(h);
        var ul = document.createElement("ul");
        c.places.sort(function (p, q) { return q.events - p.events; }).forEach(function (p) {
          var li = document.createElement("li"), l = document.createElement("a");
          l.href = link(box.dataset.link, {place: p.place, cursor: null});
          l.textContent = p.name + " (" + (p.country || "?") + ", " + p.precision + "): " + p.events + " events";
          li.appendChild(l); ul.appendChild(li);
        });
        detail.appendChild(ul);
        var first = ul.querySelector("a");
        if (first) first.focus();
      }

      function drawPoints() {  // points merged into clusters on a pixel grid of the current view
        dots.textContent = "";
        var cell = 26, clusters = {};
        points.forEach(function (q) {
          var x = q.xy[0] * view.k + view.x, y = q.xy[1] * view.k + view.y;
          if (x < -cell || y < -cell || x > width + cell || y > height + cell) return;
          var key = Math.floor(x / cell) + ":" + Math.floor(y / cell);
          var c = clusters[key] || (clusters[key] = {x: 0, y: 0, events: 0, places: []});
          c.x += x * q.p.events; c.y += y * q.p.events; c.events += q.p.events; c.places.push(q.p);
        });
        var maxC = Math.max.apply(null, Object.keys(clusters).map(function (k) { return clusters[k].events; }).concat([1]));
        Object.keys(clusters).map(function (k) { return clusters[k]; })
          .sort(function (a, b) { return b.events - a.events; })
          .forEach(function (c) {
            var x = c.x / c.events, y = c.y / c.events, r = 3 + 14 * Math.sqrt(c.events / maxC);
            var one = c.places.length === 1;
            var a = el("a", {href: one ? link(box.dataset.link, {place: c.places[0].place, cursor: null}) : "#map-detail", "class": "cluster"}, dots);
            el("circle", {cx: x, cy: y, r: r}, a);
            if (!one) el("text", {x: x, y: y + 4, "text-anchor": "middle", "class": "cluster-n"}, a).textContent = c.places.length;
            title(a, c.places.map(function (p) { return p.name + " (" + p.events + ")"; }).slice(0, 12).join(", ") + (one ? "" : " — select for the list"));
            if (!one) a.addEventListener("click", function (ev) { ev.preventDefault(); showPlaces(c); });
          });
        box.dataset.clusters = String(Object.keys(clusters).length);
        box.dataset.zoom = String(view.k);
      }

      function apply() {
        world_.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
        drawPoints();
      }
      function zoom(factor, cx, cy) {  // keep the point (cx, cy) of the screen where it is
        var k = Math.min(32, Math.max(1, view.k * factor));
        if (cx === undefined) { cx = width / 2; cy = height / 2; }
        view.x = cx - (cx - view.x) * (k / view.k);
        view.y = cy - (cy - view.y) * (k / view.k);
        view.k = k;
        if (k === 1) { view.x = 0; view.y = 0; }
        apply();
      }
      function pan(dx, dy) { if (view.k > 1) { view.x += dx; view.y += dy; apply(); } }
      function button(label, text, action) {
        var b = document.createElement("button");
        b.type = "button"; b.textContent = text; b.setAttribute("aria-label", label); b.title = label;
        b.addEventListener("click", action);
        tools.appendChild(b);
        return b;
      }
      button("zoom in", "+", function () { zoom(2); });
      button("zoom out", "\u2212", function () { zoom(0.5); });
      button("whole world", "reset", function () { view = {k: 1, x: 0, y: 0}; apply(); });
      svg.addEventListener("wheel", function (ev) {
        ev.preventDefault();
        var r = svg.getBoundingClientRect();
        zoom(ev.deltaY < 0 ? 1.5 : 1 / 1.5, (ev.clientX - r.left) * width / r.width, (ev.clientY - r.top) * height / r.height);
      }, {passive: false});
      svg.addEventListener("keydown", function (ev) {
        var step = 60, handled = true;
        if (ev.key === "+" || ev.key === "=") zoom(2);
        else if (ev.key === "-") zoom(0.5);
        else if (ev.key === "0") { view = {k: 1, x: 0, y: 0}; apply(); }
        else if (ev.key === "ArrowLeft") pan(step, 0);
        else if (ev.key === "ArrowRight") pan(-step, 0);
        else if (ev.key === "ArrowUp") pan(0, step);
        else if (ev.key === "ArrowDown") pan(0, -step);
        else handled = false;
        if (handled) ev.preventDefault();
      });
      var drag = null;
      svg.addEventListener("pointerdown", function (ev) {
        if (ev.button !== 0 || view.k === 1 || ev.target.closest("a")) return;
        drag = {x: ev.clientX, y: ev.clientY};
        svg.setPointerCapture(ev.pointerId);
      });
      svg.addEventListener("pointermove", function (ev) {
        if (!drag) return;
        var r = svg.getBoundingClientRect();
        pan((ev.clientX - drag.x) * width / r.width, (ev.clientY - drag.y) * height / r.height);
        drag = {x: ev.clientX, y: ev.clientY};
      });
      svg.addEventListener("pointerup", function () { drag = null; });
      apply();
      box.dataset.points = String(data.points.length);
      box.dataset.shaded = String(Object.keys(areas).length);
    });
  }

  // ------------------------------------------------------------------------------------ network
  function drawNetwork(box, data) {
    if (!window.d3 || !window.d3.forceSimulation) { say(box, "The network needs the dashboard assets: run make assets."); return; }
    if (!data.edges.length) { say(box, "No dyads match."); return; }
    var width = Math.max(box.clientWidth || 900, 320), height = 560;
    var nodes = data.nodes.map(function (n) { return {id: n.id, name: n.name, events: n.events_in + n.events_out}; });
    var links = data.edges.map(function (e) { return {source: e.source, target: e.target, e: e}; });
    var maxE = Math.max.apply(null, data.edges.map(function (e) { return e.events; }).concat([1]));
    var maxN = Math.max.apply(null, nodes.map(function (n) { return n.events; }).concat([1]));
    var sim = window.d3.forceSimulation(nodes)
      .force("link", window.d3.forceLink(links).id(function (d) { return d.id; }).distance(130).strength(0.3))
      .force("charge", window.d3.forceManyBody().strength(-420))
      .force("center", window.d3.forceCenter(width / 2, height / 2))
      .force("collide", window.d3.forceCollide(function (d) { return 8 + 18 * Math.sqrt(d.events / maxN); }))
      .stop();
    for (var i = 0; i < 320; i++) sim.tick();
    nodes.forEach(function (n) { n.x = Math.max(30, Math.min(width - 30, n.x)); n.y = Math.max(20, Math.min(height - 20, n.y)); });
    var svg = el("svg", {width: width, height: height, viewBox: "0 0 " + width + " " + height, "class": "network-svg"}, box);
    var defs = el("defs", {}, svg);
    var marker = el("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto"}, defs);
    el("path", {d: "M 0 0 L 10 5 L 0 10 z", "class": "arrow"}, marker);
    var tone = function (t) {  // -1 red .. 0 grey .. +1 blue
      var r = t < 0 ? 200 : Math.round(200 - 170 * t), b = t > 0 ? 200 : Math.round(200 + 170 * t);
      var g = Math.round(200 - 120 * Math.abs(t));
      return "rgb(" + Math.max(r, 30) + "," + g + "," + Math.max(b, 30) + ")";
    };
    links.forEach(function (l) {
      var a = el("a", {href: link(box.dataset.link, {dyad: l.e.dyad, cursor: null}), "class": "edge"}, svg);
      var dx = l.target.x - l.source.x, dy = l.target.y - l.source.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var rt = 6 + 18 * Math.sqrt(l.target.events / maxN);
      el("line", {x1: l.source.x, y1: l.source.y, x2: l.target.x - dx / len * rt, y2: l.target.y - dy / len * rt,
        stroke: tone(l.e.tone), "stroke-width": 1 + 7 * Math.sqrt(l.e.events / maxE), "marker-end": "url(#arrow)"}, a);
      title(a, l.e.dyad + ": " + l.e.events + " events, tone " + l.e.tone);
    });
    nodes.forEach(function (n) {
      var a = el("a", {href: link(box.dataset.link, {actor: n.id, cursor: null}), "class": "node"}, svg);
      el("circle", {cx: n.x, cy: n.y, r: 6 + 18 * Math.sqrt(n.events / maxN)}, a);
      el("text", {x: n.x, y: n.y + 4, "text-anchor": "middle"}, a).textContent = n.id;
      title(a, n.name + ": " + n.events + " events");
    });
    box.dataset.nodes = String(nodes.length);
    box.dataset.edges = String(links.length);
  }

  function start() {
    var t = document.getElementById("timeline");
    if (t && t.dataset.src) load(t, drawTimeline);
    var m = document.getElementById("map");
    if (m && m.dataset.src) load(m, drawMap);
    var n = document.getElementById("network");
    if (n && n.dataset.src) load(n, drawNetwork);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
