/* The route page on the controller's phone: shows the route sheet (from the network, else from IndexedDB),
 * takes readings, meter checks and seals into IndexedDB with an id made here (crypto.randomUUID), and
 * sends the unsent ones to the sync endpoint when the phone is online (on load, on the "online" event
 * and on "Отправить"). An entry stays "pending" until the server answers it; a lost answer simply means
 * it is sent again, and the server answers a repeat with its first answer, so nothing is stored twice. */
(function () {
  "use strict";
  var app = document.getElementById("app");
  var routeId = Number(app.dataset.route);
  var CACHE = "raschet-controller-v1";
  var CHECK_RESULTS = [["ok", "исправен, пломбы целы"], ["damaged", "неисправен"], ["seal_broken", "нарушена пломба"],
    ["interference", "признаки вмешательства"], ["no_access", "нет доступа"]];
  var STATE_TEXT = { pending: "сохранено на телефоне, не отправлено", accepted: "принято",
    refused: "отказано", conflict: "не записано: есть более новое показание" };
  var KIND_TEXT = { reading: "Показание", check: "Проверка", seal: "Пломба" };
  var state = { sheet: null, entries: [], syncing: false };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function ruDate(iso) { return iso ? iso.split("-").reverse().join(".") : "—"; }
  function ruNumber(text) { return text == null ? "—" : String(text).replace(".", ","); }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "id-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  /* --- the sheet ---------------------------------------------------------------------------------- */
  function loadSheet() {
    return fetch(app.dataset.sheetUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("sheet " + response.status);
        return response.json();
      })
      .then(function (sheet) { return ControllerStore.putSheet(routeId, sheet).then(function () { return sheet; }); })
      .catch(function () { return ControllerStore.getSheet(routeId); });
  }

  function entriesOf(meterId) {
    return state.entries.filter(function (e) { return e.meter === meterId; })
      .sort(function (a, b) { return a.created < b.created ? -1 : 1; });
  }

  function entryLine(entry) {
    var what = KIND_TEXT[entry.kind] + (entry.kind === "reading" ? " " + ruNumber(entry.value) :
      entry.kind === "seal" ? " № " + entry.seal_number : ": " + (CHECK_RESULTS.filter(function (r) {
        return r[0] === entry.result; })[0] || ["", entry.result])[1] + (entry.note ? " (" + entry.note + ")" : ""));
    var line = el("li", { className: "entry " + entry.state, "data-client-id": entry.client_id }, [
      el("span", { text: what + " от " + ruDate(entry.date) + " — " + STATE_TEXT[entry.state] })]);
    if (entry.message) line.appendChild(el("div", { className: "reason", text: entry.message }));
    return line;
  }

  function readingForm(meter, zone) {
    var input = el("input", { type: "text", inputmode: "decimal", autocomplete: "off", className: "value",
      id: "value-" + meter.id + "-" + zone.zone, "aria-label": "Показание " + meter.service });
    var button = el("button", { type: "button", className: "save-reading", text: "Записать" });
    button.addEventListener("click", function () {
      var text = input.value.trim();
      if (!/^[0-9]+([.,][0-9]+)?$/.test(text)) {
        showState("Показание — число, например 123,456 (без пробелов и букв).");
        input.focus();
        return;
      }
      addEntry({ kind: "reading", meter: meter.id, zone: zone.zone, value: text.replace(",", ".") }).then(
        function () { input.value = ""; });
    });
    var expected = zone.last_value == null ? "показаний ещё нет" :
      "последнее " + ruNumber(zone.last_value) + " от " + ruDate(zone.last_date) + "; ожидается " +
      ruNumber(zone.expected_low) + " – " + (zone.expected_high ? ruNumber(zone.expected_high) : "…");
    var label = zone.zone === "total" ? "" : zone.zone + ": ";
    return el("div", { className: "zone" }, [el("div", { className: "muted", text: label + expected }),
      el("div", { className: "row" }, [input, button])]);
  }

  function checkForm(meter) {
    var select = el("select", { className: "result", "aria-label": "Результат проверки" },
      CHECK_RESULTS.map(function (r) { return el("option", { value: r[0], text: r[1] }); }));
    var note = el("input", { type: "text", className: "note", placeholder: "примечание", maxlength: "500" });
    var button = el("button", { type: "button", className: "save-check", text: "Записать проверку" });
    button.addEventListener("click", function () {
      addEntry({ kind: "check", meter: meter.id, result: select.value, note: note.value.trim() }).then(
        function () { note.value = ""; });
    });
    return el("details", {}, [el("summary", { text: "Проверка прибора" }), select, note, button]);
  }

  function sealForm(meter) {
    var number = el("input", { type: "text", className: "seal-number", placeholder: "номер пломбы", maxlength: "40" });
    var date = el("input", { type: "date", className: "seal-date", "aria-label": "Дата опломбирования" });
    date.value = walkDate();
    var button = el("button", { type: "button", className: "save-seal", text: "Записать пломбу" });
    button.addEventListener("click", function () {
      if (!number.value.trim()) { showState("Укажите номер пломбы."); number.focus(); return; }
      addEntry({ kind: "seal", meter: meter.id, seal_number: number.value.trim(), date: date.value || walkDate() })
        .then(function () { number.value = ""; });
    });
    return el("details", {}, [el("summary", { text: "Пломба" }), number, date, button]);
  }

  function meterCard(meter) {
    var title = meter.service + ", № " + (meter.serial || meter.code);
    var card = el("article", { className: "meter", id: "meter-" + meter.id }, [el("h3", { text: title })]);
    meter.zones.forEach(function (zone) { card.appendChild(readingForm(meter, zone)); });
    card.appendChild(checkForm(meter));
    card.appendChild(sealForm(meter));
    card.appendChild(el("ul", { className: "entries", id: "entries-" + meter.id }, entriesOf(meter.id).map(entryLine)));
    return card;
  }

  function renderSheet() {
    var box = document.getElementById("sheet");
    box.textContent = "";
    if (!state.sheet) {
      box.appendChild(el("p", { className: "refusal", text: "Маршрутный лист не сохранён на телефоне: откройте " +
        "маршрут, когда будет связь." }));
      return;
    }
    box.appendChild(el("p", { className: "muted", id: "sheet-taken",
      text: "Лист получен " + new Date(state.sheet.taken_at).toLocaleString("ru-RU") }));
    var lastHeading = "";
    state.sheet.places.forEach(function (place) {
      var heading = place.building + (place.entrance ? ", подъезд " + place.entrance : "");
      if (heading !== lastHeading) { box.appendChild(el("h2", { text: heading })); lastHeading = heading; }
      var accounts = place.accounts.length ? " · ЛС " + place.accounts.join(", ") : "";
      var section = el("section", { className: "place" }, [el("h3", { className: "premises", text: place.premises + accounts })]);
      place.meters.forEach(function (meter) { section.appendChild(meterCard(meter)); });
      box.appendChild(section);
    });
  }

  function renderEntries() {
    state.sheet && state.sheet.places.forEach(function (place) {
      place.meters.forEach(function (meter) {
        var list = document.getElementById("entries-" + meter.id);
        if (!list) return;
        list.textContent = "";
        entriesOf(meter.id).forEach(function (entry) { list.appendChild(entryLine(entry)); });
      });
    });
    var pending = state.entries.filter(function (e) { return e.state === "pending"; }).length;
    document.getElementById("pending").textContent = "Не отправлено: " + pending;
  }

  /* --- entries and the sync ------------------------------------------------------------------------ */
  function walkDate() { return document.getElementById("walk-date").value || today(); }
  function showState(text) { document.getElementById("sync-state").textContent = text; }

  function addEntry(fields) {
    var entry = Object.assign({ client_id: newId(), route: routeId, date: walkDate(), zone: "total", value: "",
      result: "", note: "", seal_number: "", sheet_taken_at: state.sheet ? state.sheet.taken_at : null,
      state: "pending", message: "", created: new Date().toISOString() }, fields);
    return ControllerStore.putEntry(entry).then(function () {
      state.entries.push(entry);
      renderEntries();
      showState(navigator.onLine ? "Запись сохранена на телефоне." : "Нет связи: запись сохранена на телефоне и " +
        "будет отправлена, когда связь появится.");
      if (navigator.onLine) syncNow();
    });
  }

  function payload(entry) {
    return { client_id: entry.client_id, kind: entry.kind, route: entry.route, meter: entry.meter, date: entry.date,
      zone: entry.zone, value: entry.value, result: entry.result, note: entry.note, seal_number: entry.seal_number,
      sheet_taken_at: entry.sheet_taken_at };
  }

  function applyResults(results) {
    var byId = {};
    results.forEach(function (r) { byId[r.client_id] = r; });
    return Promise.all(state.entries.filter(function (e) { return byId[e.client_id]; }).map(function (entry) {
      var answer = byId[entry.client_id];
      entry.state = answer.status;
      entry.message = answer.message || "";
      entry.existing = answer.existing || null;
      return ControllerStore.putEntry(entry);
    }));
  }

  function syncNow() {
    var pending = state.entries.filter(function (e) { return e.state === "pending"; });
    if (state.syncing || !pending.length) return Promise.resolve();
    state.syncing = true;
    showState("Отправляем записи: " + pending.length + "…");
    return fetch(app.dataset.syncUrl, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ entries: pending.map(payload) }) })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.errors ? body.errors[0].message : "ответ " + response.status);
          return applyResults(body.results).then(function () {
            var bad = body.results.filter(function (r) { return r.status !== "accepted"; }).length;
            showState("Отправлено записей: " + body.results.length + (bad ? "; не приняты: " + bad + " — см. причины у приборов." : "."));
          });
        });
      })
      .catch(function (error) {
        showState("Записи не отправлены (" + (error.message || "нет связи") + "): они сохранены на телефоне, " +
          "отправим ещё раз при связи.");
      })
      .then(function () { state.syncing = false; renderEntries(); app.dataset.synced = String(Date.now()); });
  }

  /* --- offline readiness --------------------------------------------------------------------------- */
  function showNet() {
    var net = document.getElementById("net");
    net.textContent = navigator.onLine ? "В сети" : "Нет связи";
    net.className = "net " + (navigator.onLine ? "online" : "offline");
  }

  function prepareOffline() {
    var note = document.getElementById("offline-state");
    if (!("serviceWorker" in navigator) || !window.caches) {
      note.textContent = "Этот браузер не умеет работать без связи: не закрывайте страницу до отправки записей.";
      return Promise.resolve();
    }
    return navigator.serviceWorker.register(app.dataset.swUrl, { scope: app.dataset.scope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () {
        var urls = [location.pathname, app.dataset.sheetUrl].concat(app.dataset.static.split(" "));
        return caches.open(CACHE).then(function (cache) { return cache.addAll(urls); });
      })
      .then(function () {
        note.textContent = "Маршрут сохранён на телефоне: можно работать без связи.";
        app.dataset.offlineReady = "yes";
      })
      .catch(function () {
        note.textContent = navigator.onLine ? "Не удалось сохранить маршрут для работы без связи." :
          "Нет связи: работаем с сохранённой копией маршрута.";
      });
  }

  function start() {
    document.getElementById("walk-date").value = today();
    showNet();
    window.addEventListener("online", function () { showNet(); syncNow(); });
    window.addEventListener("offline", showNet);
    document.getElementById("sync-now").addEventListener("click", function () {
      if (!state.entries.some(function (e) { return e.state === "pending"; })) showState("Всё отправлено.");
      syncNow();
    });
    Promise.all([loadSheet(), ControllerStore.entries(routeId)]).then(function (found) {
      state.sheet = found[0];
      state.entries = found[1];
      renderSheet();
      renderEntries();
      app.dataset.loaded = "yes";
      return navigator.onLine ? syncNow() : null;
    }).then(prepareOffline);
  }

  window.controllerApp = { sync: syncNow, state: state };
  start();
})();
