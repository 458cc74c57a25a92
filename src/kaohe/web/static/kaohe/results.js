// 考核结果页：按 chart-data 中的数据画各组总分条形图（ECharts，SVG）
(function () {
  var charts = JSON.parse(document.getElementById("chart-data").textContent);
  charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el || !window.echarts) return;
    var chart = echarts.init(el, null, {renderer: "svg"});
    chart.setOption({
      title: {text: c.title, left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis"},
      grid: {left: 10, right: 50, top: 40, bottom: 20, containLabel: true},
      xAxis: {type: "value", min: function (v) { return Math.max(0, Math.floor((v.min - 5) / 10) * 10); }, max: function (v) { return Math.ceil(v.max / 10) * 10; }},
      yAxis: {type: "category", data: c.names.slice().reverse()},
      series: [{type: "bar", data: c.values.slice().reverse(), itemStyle: {color: "#1f5fbf"},
                label: {show: true, position: "right", formatter: function (p) { return p.value.toFixed(2); }}}]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
