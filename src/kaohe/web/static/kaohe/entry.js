// 数量级提醒（不阻止提交）：实绩数超过任务数 10 倍或不到 1/10
document.querySelectorAll("input.fig[data-target]").forEach(function (inp) {
  inp.addEventListener("change", function () {
    var t = parseFloat(inp.dataset.target), v = parseFloat(inp.value);
    var warn = inp.closest("tr").querySelector(".warn");
    warn.textContent = "";
    if (t > 0 && v > 0 && (v > t * 10 || v * 10 < t)) warn.textContent = "数量级与任务数相差 10 倍以上，请核对计量单位";
  });
});
