// 报送率图：每个分组一张横向条形图（报送率、按时报送率），数据来自页面中的 JSON（无内联脚本）
(function () {
  var charts = JSON.parse(document.getElementById("rates-data").textContent);
  charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el || !window.echarts) return;
    el.style.height = Math.max(240, 60 + c.names.length * 34) + "px";
    var chart = echarts.init(el, null, {renderer: "svg"});
    chart.setOption({
      title: {text: c.title, left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis", valueFormatter: function (v) { return v.toFixed(1) + "%"; }},
      legend: {top: 24, data: ["报送率", "按时报送率"]},
      grid: {left: 10, right: 50, top: 56, bottom: 10, containLabel: true},
      xAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
      yAxis: {type: "category", data: c.names.slice().reverse()},
      series: [
        {name: "报送率", type: "bar", data: c.reporting.slice().reverse(), itemStyle: {color: "#1f5fbf"},
         label: {show: true, position: "right", formatter: function (p) { return p.value.toFixed(1) + "%"; }}},
        {name: "按时报送率", type: "bar", data: c.timely.slice().reverse(), itemStyle: {color: "#27ae60"},
         label: {show: true, position: "right", formatter: function (p) { return p.value.toFixed(1) + "%"; }}}
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
