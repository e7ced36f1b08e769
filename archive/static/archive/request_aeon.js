// The confirmation page of a request: when it holds one Aeon form, post it at once, so the
// researcher goes straight to the request system. Without JavaScript the button does it.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-autosubmit]");
  if (forms.length === 1) {
    forms[0].submit();
  }
})();
