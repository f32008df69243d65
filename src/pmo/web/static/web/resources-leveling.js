// Levelling preview: the current and levelled bars of each task, and the histogram of the most
// loaded person before and after, against their availability.
(function () {
  var source = document.getElementById("leveling-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var DAY = 86400000;
  function time(iso) { return new Date(iso + "T00:00:00Z").getTime(); }

  var gantt = document.getElementById("leveling-gantt");
  if (gantt && data.tasks.length) {
    var bars = function (rows, offset) {
      return rows.map(function (r, i) { return [i, time(r[0]), time(r[1]) + DAY, offset]; });
    };
    var render = function (params, api) {
      var row = api.value(0), start = api.coord([api.value(1), row]);
      var end = api.coord([api.value(2), row]), band = api.size([0, 1])[1];
      var height = band * 0.32;
      return {
        type: "rect",
        shape: {x: start[0], y: start[1] + api.value(3) * band - height / 2,
                width: Math.max(end[0] - start[0], 2), height: height},
        style: api.style()
      };
    };
    var fmt = function (p) {
      var d = function (t) { return new Date(t).toISOString().slice(0, 10); };
      return data.tasks[p.value[0]] + "<br>" + p.seriesName + ": " + d(p.value[1]) + " – " + d(p.value[2] - DAY);
    };
    echarts.init(gantt).setOption({
      animation: false,
      tooltip: {formatter: fmt},
      legend: {bottom: 0},
      grid: {left: 180, right: 30, top: 20, bottom: 50},
      xAxis: {type: "time"},
      yAxis: {type: "category", data: data.tasks, inverse: true},
      series: [
        {name: "Current", type: "custom", renderItem: render, encode: {x: [1, 2], y: 0},
         itemStyle: {color: "#94a3b8"}, data: bars(data.current, -0.2)},
        {name: "Levelled", type: "custom", renderItem: render, encode: {x: [1, 2], y: 0},
         itemStyle: {color: "#2563eb"}, data: bars(data.levelled, 0.2)}
      ]
    });
  }

  var hist = document.getElementById("leveling-histogram");
  if (hist && data.histogram) {
    var h = data.histogram;
    echarts.init(hist).setOption({
      animation: false,
      tooltip: {trigger: "axis"},
      legend: {bottom: 0},
      grid: {left: 50, right: 20, top: 20, bottom: 60},
      xAxis: {type: "category", data: h.days},
      yAxis: {type: "value", name: "Units"},
      series: [
        {name: "Before", type: "bar", data: h.before, itemStyle: {color: "#f87171"}},
        {name: "After", type: "bar", data: h.after, itemStyle: {color: "#2563eb"}},
        {name: "Availability", type: "line", step: "middle", symbol: "none",
         data: h.days.map(function () { return h.capacity; }), lineStyle: {type: "dashed", color: "#0f172a"}}
      ]
    });
  }
})();
