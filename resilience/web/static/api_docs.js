// Swagger UI (vendor/swagger-ui, loaded before this file) on the app's OpenAPI document, named
// by the page's data-spec. No online validator badge: the page makes no request off this origin.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    domNode: root,
    validatorUrl: null,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
