/* The inbox's answer boxes: how many characters and SMS segments the answer takes (GSM-7:
   160 characters in one SMS, 153 per part when split; the characters ^{}\[~]|€ count twice). */
(function () {
  "use strict";
  var DOUBLE = "^{}\\[~]|\u20ac";

  function septets(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) n += DOUBLE.indexOf(text[i]) >= 0 ? 2 : 1;
    return n;
  }

  document.querySelectorAll("textarea[data-gsm7-counter]").forEach(function (box) {
    var out = document.getElementById(box.dataset.gsm7Counter);
    if (!out) return;
    var single = Number(out.dataset.single), part = Number(out.dataset.part), max = Number(out.dataset.max);
    function update() {
      var chars = septets(box.value.replace(/\s+/g, " ").trim());
      var segments = chars <= single ? 1 : Math.ceil(chars / part);
      var text = segments > max ? out.dataset.over : out.dataset.text;
      out.textContent = text.replace("{chars}", chars).replace("{segments}", segments).replace("{max}", max);
      out.classList.toggle("over", segments > max);
      var button = box.form.querySelector("button[type=submit]");
      if (button) button.disabled = segments > max;
    }
    box.addEventListener("input", update);
    update();
  });
})();
