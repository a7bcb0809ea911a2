// The planner workspace's one script (served by staffcast; pages allow no
// inline script). Each part starts only when its page has the element.
"use strict";
(function () {
  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  window.staffcastData = data;
})();
