// 需要确认的表单：<form data-confirm="提示文字">，取消则不提交（代替内联 onsubmit，见 CSP）
document.addEventListener("submit", function (event) {
  var form = event.target;
  var text = form.getAttribute && form.getAttribute("data-confirm");
  if (text && !window.confirm(text)) event.preventDefault();
});
