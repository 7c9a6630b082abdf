// The live view's one script (docs/live.md): fetch the page's parts from the hub every
// few seconds and replace the parts that changed, so that focus, an open table and the
// scroll position stay. The page works without it (reload it); all words come from the
// page itself, in its language.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-part-url");
  var every = parseInt(body.getAttribute("data-every"), 10) || 2000;
  var status = document.getElementById("connection");
  var lastGood = asOf();

  function asOf() {
    var updated = document.querySelector('[data-part="updated"] p');
    var match = updated ? /\d{1,2}:\d{2}:\d{2}/.exec(updated.textContent) : null;
    return match ? match[0] : "";
  }

  function say(text) {
    if (status.textContent !== text) {
      status.textContent = text;
    }
  }

  function apply(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var parts = template.content.querySelectorAll("[data-part]");
    for (var i = 0; i < parts.length; i++) {
      var name = parts[i].getAttribute("data-part");
      var old = document.querySelector('[data-part="' + name + '"]');
      if (old && old.outerHTML !== parts[i].outerHTML) {
        var open = old.querySelector("details[open]");
        if (open) {
          var details = parts[i].querySelector("details");
          if (details) { details.setAttribute("open", ""); }
        }
        if (old.outerHTML !== parts[i].outerHTML) {
          old.replaceWith(parts[i]);
        }
      }
    }
  }

  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store",
                headers: {"Accept": "text/html"}})
      .then(function (answer) {
        if (answer.status === 401) {
          say(body.getAttribute("data-signed-out"));
          return null;  // signed out: no more polling
        }
        if (!answer.ok) { throw new Error(String(answer.status)); }
        return answer.text().then(function (html) {
          apply(html);
          lastGood = asOf() || lastGood;
          say("");
          return true;
        });
      })
      .catch(function () {
        say(body.getAttribute("data-stale").replace("{time}", lastGood));
        return true;
      })
      .then(function (again) {
        if (again) { window.setTimeout(poll, every); }
      });
  }

  window.setTimeout(poll, every);
})();
