
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dfg-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("dfg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.dfg = {network: network, nodes: nodes, edges: edges, data: data, drawn: false};
  network.once("afterDrawing", function () { window.dfg.drawn = true; network.fit({animation: false}); });
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var edgeById = {};
  data.edges.forEach(function (e) { edgeById[e.id] = e; });
  var details = document.getElementById("dfg-details");
  var status = document.getElementById("dfg-status");
  function show(text) { details.textContent = text; }
  network.on("click", function (p) {
    if (p.nodes.length) { show(byId[p.nodes[0]].title); }
    else if (p.edges.length) { show(edgeById[p.edges[0]].title); }
  });
  function goTo(id) {
    if (!byId[id]) { return; }
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
    show(byId[id].title);
  }
  Array.prototype.forEach.call(document.querySelectorAll(".dfg-goto"), function (b) {
    b.addEventListener("click", function () { goTo(b.getAttribute("data-node")); });
  });
  var family = document.getElementById("dfg-family");
  var levels = Array.prototype.slice.call(document.querySelectorAll(".dfg-level"));
  function applyFilters() {
    var fam = family.value, wanted = {}, all = fam === "", shown = {}, edgeUpdates = [], nodeUpdates = [];
    levels.forEach(function (cb) { wanted[cb.value] = cb.checked; if (!cb.checked) { all = false; } });
    var visibleEdges = 0;
    data.edges.forEach(function (e) {
      var ok = (fam === "" || e.families.indexOf(fam) >= 0) && wanted[e.identifiability] !== false;
      if (ok) { shown[e.from] = true; shown[e.to] = true; visibleEdges += 1; }
      edgeUpdates.push({id: e.id, hidden: !ok});
    });
    var visibleNodes = 0;
    data.nodes.forEach(function (n) {
      var ok = all || shown[n.id] === true;
      if (ok) { visibleNodes += 1; }
      nodeUpdates.push({id: n.id, hidden: !ok});
    });
    edges.update(edgeUpdates);
    nodes.update(nodeUpdates);
    window.dfg.visible = {nodes: visibleNodes, edges: visibleEdges};
    status.textContent = visibleNodes + " organisations, " + visibleEdges + " edges shown";
  }
  family.addEventListener("change", applyFilters);
  levels.forEach(function (cb) { cb.addEventListener("change", applyFilters); });
  var search = document.getElementById("dfg-search");
  var result = document.getElementById("dfg-search-result");
  function find() {
    var q = search.value.trim().toLowerCase();
    if (!q) { network.unselectAll(); result.textContent = ""; return; }
    var hits = data.nodes.filter(function (n) { return n.label.toLowerCase().indexOf(q) >= 0; })
      .map(function (n) { return n.id; });
    network.selectNodes(hits);
    if (hits.length === 1) { goTo(hits[0]); }
    else if (hits.length) { network.fit({nodes: hits, animation: false}); }
    result.textContent = hits.length + (hits.length === 1 ? " match" : " matches");
  }
  search.addEventListener("input", find);
  applyFilters();
})();
