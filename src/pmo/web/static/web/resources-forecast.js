// Capacity forecast heat map: rows × periods coloured by utilisation; a click loads the people
// and tasks behind the cell (the same partial as the table's cells).
(function () {
  var source = document.getElementById("forecast-data");
  var box = document.getElementById("forecast-heatmap");
  if (!source || !box || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var query = JSON.parse(document.getElementById("forecast-query").textContent);
  var chart = echarts.init(box);
  chart.setOption({
    animation: false,
    tooltip: {formatter: function (p) {
      return data.rows[p.value[1]] + ", " + data.periods[p.value[0]] + ": " + p.value[3];
    }},
    grid: {left: 190, right: 30, top: 10, bottom: 70},
    xAxis: {type: "category", data: data.periods, splitArea: {show: true}},
    yAxis: {type: "category", data: data.rows, inverse: true, splitArea: {show: true}},
    visualMap: {dimension: 2, min: 0, max: 2, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                text: ["200 %+", "0 %"],
                inRange: {color: ["#f1f5f9", "#bbf7d0", "#fef08a", "#f87171", "#b91c1c"]}},
    series: [{type: "heatmap", data: data.cells, label: {show: data.periods.length <= 26,
              formatter: function (p) { return String(p.value[3]).split(" (")[0]; }, fontSize: 10}}]
  });
  chart.on("click", function (p) {
    var params = new URLSearchParams(query);
    params.set("cell", data.keys[p.value[1]]);
    params.set("period", data.periods[p.value[0]]);
    if (window.htmx) {
      htmx.ajax("GET", box.dataset.cellUrl + "?" + params.toString(), "#forecast-cell");
    }
  });
})();
