/* The phone's store of the controller's work (IndexedDB "raschet-controller"):
 * "sheets" keeps the last route sheet of each route (key: route id), so the route opens without signal;
 * "entries" keeps every reading, meter check and seal entered, by the id the phone gave it (client_id),
 * with its state: "pending" until the server answered, then "accepted", "refused" or "conflict".
 * Nothing is ever deleted here by the sync: the answer is kept with the entry, for the controller to see. */
var ControllerStore = (function () {
  "use strict";
  var NAME = "raschet-controller";
  var VERSION = 1;
  var opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      var request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("sheets")) db.createObjectStore("sheets", { keyPath: "route" });
        if (!db.objectStoreNames.contains("entries")) {
          db.createObjectStore("entries", { keyPath: "client_id" }).createIndex("route", "route");
        }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { opening = null; reject(request.error); };
    });
    return opening;
  }

  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var result = work(tx.objectStore(storeName));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  return {
    putSheet: function (routeId, sheet) {
      return run("sheets", "readwrite", function (s) { return s.put({ route: routeId, sheet: sheet }); });
    },
    getSheet: function (routeId) {
      return run("sheets", "readonly", function (s) { return s.get(routeId); }).then(function (row) {
        return row ? row.sheet : null;
      });
    },
    putEntry: function (entry) {
      return run("entries", "readwrite", function (s) { return s.put(entry); });
    },
    entries: function (routeId) {
      return run("entries", "readonly", function (s) { return s.index("route").getAll(routeId); }).then(
        function (rows) { return rows || []; });
    }
  };
})();
