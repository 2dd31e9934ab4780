(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dfg-data").textContent);
  var view = data.view;
  var container = document.getElementById("dfg-network");
  // The page carries one layout of the first view per kind of screen: open with the one
  // whose drawing fits this window at the largest zoom.
  var layout = 0, best = -1;
  view.layouts.forEach(function (size, k) {
    var w = container.clientWidth - 2 * view.margin, h = container.clientHeight - 2 * view.margin;
    var scale = Math.min(w / Math.max(size[0], 1), h / Math.max(size[1], 1), view.maxZoom);
    if (scale > best + 1e-9) { best = scale; layout = k; }
  });
  function placed(n, all) {
    var f = all && n.views.all ? n.views.all : n.views.first ? n.views.first[layout] : n.views.all;
    return {x: f[0], y: f[1], label: f[2], widthConstraint: {minimum: f[3]},
      heightConstraint: {minimum: f[4], valign: "middle"}};
  }
  data.nodes.forEach(function (n) { Object.assign(n, placed(n, !view.partial)); });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var byId = {}, edgeById = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  data.edges.forEach(function (e) { edgeById[e.id] = e; });
  var details = document.getElementById("dfg-details");
  var status = document.getElementById("dfg-status");
  var family = document.getElementById("dfg-family");
  var during = document.getElementById("dfg-during");
  var viewSelect = document.getElementById("dfg-view");
  var levels = Array.prototype.slice.call(document.querySelectorAll("input.dfg-level"));
  var state = {all: !view.partial, interacted: false, note: ""};
  window.dfg = {network: network, nodes: nodes, edges: edges, data: data, drawn: false, layout: layout};

  function show(text) { details.textContent = text; }

  // Months typed as YYYY, YYYY-MM, or a range A..B with either end open.
  function monthRange(text) {
    text = text.trim();
    if (!text) { return null; }
    var m = /^(\d{4}(?:-\d{2})?)?\s*(\.\.)?\s*(\d{4}(?:-\d{2})?)?$/.exec(text);
    if (!m || (!m[1] && !m[3])) { return undefined; }
    var a = m[1] || "0000-01", b = m[2] ? (m[3] || "9999-12") : (m[3] || a);
    if (a.length === 4) { a += "-01"; }
    if (b.length === 4) { b += "-12"; }
    return [a, b];
  }
  function inWindow(e, range) {
    if (!range) { return true; }
    return e.windows.some(function (w) { return w[0] <= range[1] && w[1] >= range[0]; });
  }

  function applyFilters() {
    var fam = family.value, wanted = {}, filtered = fam !== "";
    levels.forEach(function (cb) { wanted[cb.value] = cb.checked; if (!cb.checked && !cb.disabled) { filtered = true; } });
    var range = during ? monthRange(during.value) : null;
    if (during) { during.setAttribute("aria-invalid", range === undefined ? "true" : "false"); }
    if (range === undefined) { range = null; }
    if (range) { filtered = true; }
    var shown = {}, edgeUpdates = [], nodeUpdates = [], visibleEdges = 0, visibleNodes = 0;
    data.edges.forEach(function (e) {
      var inView = state.all || (byId[e.from].first && byId[e.to].first);
      var ok = inView && (fam === "" || e.families.indexOf(fam) >= 0) && wanted[e.identifiability] !== false &&
        inWindow(e, range);
      if (ok) { shown[e.from] = true; shown[e.to] = true; visibleEdges += 1; }
      edgeUpdates.push({id: e.id, hidden: !ok});
    });
    data.nodes.forEach(function (n) {
      var ok = (state.all || n.first) && (!filtered || shown[n.id] === true);
      if (ok) { visibleNodes += 1; }
      var update = placed(n, state.all);
      update.id = n.id;
      update.hidden = !ok;
      nodeUpdates.push(update);
    });
    edges.update(edgeUpdates);
    nodes.update(nodeUpdates);
    window.dfg.visible = {nodes: visibleNodes, edges: visibleEdges};
    applyStatus();
  }

  function visibleIds() {
    return nodes.getIds({filter: function (n) { return !n.hidden; }});
  }
  function labelPx() {
    var scale = network.getScale(), least = Infinity;
    visibleIds().forEach(function (id) { least = Math.min(least, nodes.get(id).font.size * scale); });
    return least;
  }
  window.dfg.labelPx = labelPx;

  // Fit the given nodes to the window with margins; if names would be smaller than
  // view.labelPx (and `whole` is not asked for), zoom in to that size instead, centred on
  // `anchor` when it is drawn.
  function fit(ids, anchor, whole) {
    if (!ids.length) { return; }
    var positions = network.getPositions(ids), box = null, font = Infinity;
    ids.forEach(function (id) {
      var n = nodes.get(id), bb = network.getBoundingBox(id) || {left: 0, right: 0, top: 0, bottom: 0};
      var hw = Math.max(bb.right - bb.left, n.widthConstraint.minimum) / 2;
      var hh = Math.max(bb.bottom - bb.top, n.heightConstraint.minimum) / 2;
      var p = positions[id];
      font = Math.min(font, n.font.size);
      box = box || {left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity};
      box.left = Math.min(box.left, p.x - hw); box.right = Math.max(box.right, p.x + hw);
      box.top = Math.min(box.top, p.y - hh); box.bottom = Math.max(box.bottom, p.y + hh);
    });
    var w = container.clientWidth - 2 * view.margin, h = container.clientHeight - 2 * view.margin;
    var scale = Math.min(w / (box.right - box.left), h / (box.bottom - box.top), view.maxZoom);
    var centre = {x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2};
    state.note = "";
    if (scale * font < view.labelPx && !whole) {
      scale = view.labelPx / font;
      if (anchor && ids.indexOf(anchor) >= 0) { centre = network.getPositions([anchor])[anchor]; }
      state.note = " · zoomed in so names are readable: drag to see the rest, or scroll to zoom out";
    }
    else if (scale * font < view.labelPx) { state.note = " · scroll to zoom in and read the names"; }
    network.moveTo({position: centre, scale: scale, animation: false});
  }
  function anchor() {
    if (view.focus) { return view.focus; }
    var first = document.querySelector(".dfg-finding[data-node]:not([data-place=outside])");
    return first ? first.getAttribute("data-node") : null;
  }
  function fitAll(whole) { fit(visibleIds(), anchor(), whole); applyStatus(); }
  function applyStatus() {
    var v = window.dfg.visible || {nodes: 0, edges: 0};
    var of = state.all ? "" : " (of " + data.nodes.length + ")";
    status.textContent = v.nodes + " organisations" + of + ", " + v.edges + " edges shown" + state.note;
  }
  window.dfg.fit = fitAll;

  function setView(all) {
    state.all = all;
    if (viewSelect) { viewSelect.value = all ? "all" : "first"; }
    applyFilters();
    fitAll();
  }

  network.once("afterDrawing", function () {
    applyFilters();
    fitAll();
    window.dfg.drawn = true;
  });
  network.on("dragStart", function () { state.interacted = true; });
  network.on("zoom", function () { state.interacted = true; });
  // The canvas changes size with the window (and the header): fit again until the reader moves the view.
  network.on("resize", function () { if (window.dfg.drawn && !state.interacted) { fitAll(); } });
  window.addEventListener("resize", function () {
    setTimeout(function () { if (window.dfg.drawn && !state.interacted) { network.redraw(); fitAll(); } }, 60);
  });

  network.on("click", function (p) {
    if (p.nodes.length) { show(byId[p.nodes[0]].title); }
    else if (p.edges.length) { show(edgeById[p.edges[0]].title); }
  });
  function goTo(id) {
    if (!byId[id]) { return; }
    if (!state.all && !byId[id].first) { setView(true); }
    network.selectNodes([id]);
    var font = byId[id].font.size;
    network.focus(id, {scale: Math.max(network.getScale(), (view.labelPx + 2) / font), animation: false});
    state.interacted = true;
    show(byId[id].title);
  }
  Array.prototype.forEach.call(document.querySelectorAll(".dfg-goto"), function (b) {
    b.addEventListener("click", function (event) { event.preventDefault(); goTo(b.getAttribute("data-node")); });
  });
  function refilter() { applyFilters(); if (!state.interacted) { fitAll(); } }
  family.addEventListener("change", refilter);
  levels.forEach(function (cb) { cb.addEventListener("change", refilter); });
  if (during) { during.addEventListener("change", refilter); }
  if (viewSelect) { viewSelect.addEventListener("change", function () { setView(viewSelect.value === "all"); }); }
  document.getElementById("dfg-fit").addEventListener("click", function () { fitAll(true); state.interacted = true; });

  var search = document.getElementById("dfg-search");
  var result = document.getElementById("dfg-search-result");
  function find() {
    var q = search.value.trim().toLowerCase();
    if (!q) { network.unselectAll(); result.textContent = ""; return; }
    var hits = data.nodes.filter(function (n) { return n.name.toLowerCase().indexOf(q) >= 0; })
      .map(function (n) { return n.id; });
    if (hits.some(function (id) { return !state.all && !byId[id].first; })) { setView(true); }
    network.selectNodes(hits);
    if (hits.length === 1) { goTo(hits[0]); }
    else if (hits.length) { fit(hits, null); state.interacted = true; }
    result.textContent = hits.length + (hits.length === 1 ? " match" : " matches");
  }
  search.addEventListener("input", find);
})();
