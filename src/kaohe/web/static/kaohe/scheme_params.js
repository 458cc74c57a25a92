// 指标表单：只显示所选计分方法的参数；没有脚本时各方法的参数都显示，保存时只用所选方法的
(function () {
  var method = document.getElementById("id_method");
  if (!method) return;
  function show() {
    document.querySelectorAll("fieldset.params").forEach(function (set) {
      set.hidden = set.getAttribute("data-method") !== method.value;
    });
  }
  method.addEventListener("change", show);
  show();
})();
