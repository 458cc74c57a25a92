// 考核期名称随年度、周期、季度（月份）自动填写；用户自己改过名称后不再覆盖
(function () {
  var name = document.getElementById("id_name");
  var year = document.getElementById("id_year");
  var kind = document.getElementById("id_kind");
  var number = document.getElementById("id_number");
  if (!name || !year || !kind || !number) return;
  var CN = ["", "一", "二", "三", "四"];
  function auto() {
    var y = parseInt(year.value, 10), n = parseInt(number.value, 10);
    if (!y || !n) return "";
    if (kind.value === "quarter") return n >= 1 && n <= 4 ? y + "年" + CN[n] + "季度" : "";
    return n >= 1 && n <= 12 ? y + "年" + n + "月" : "";
  }
  var last = auto();
  var manual = name.value !== "" && name.value !== last;
  name.addEventListener("input", function () { manual = name.value !== "" && name.value !== auto(); });
  function update() {
    var next = auto();
    if (!manual && next) name.value = next;
    last = next;
  }
  [year, kind, number].forEach(function (el) {
    el.addEventListener("input", update);
    el.addEventListener("change", update);
  });
})();
