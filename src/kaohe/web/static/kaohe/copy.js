// 复制按钮：data-copy 指向要复制的文本框（无内联脚本，CSP 允许）
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var box = document.querySelector(button.dataset.copy);
    var done = document.getElementById("copy-done");
    box.select();
    var ok = false;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(box.value);
      ok = true;
    } else {
      ok = document.execCommand("copy");
    }
    if (done) done.textContent = ok ? "已复制" : "请按 Ctrl+C 复制";
  });
});
