// Passkeys: adding one on /account/2fa, using one on /login/code. Shown only where the browser
// can (WebAuthn with its JSON helpers); the authenticator app's code works everywhere else.
"use strict";
(function () {
  var PKC = window.PublicKeyCredential;
  if (!PKC || !PKC.parseCreationOptionsFromJSON || !PKC.parseRequestOptionsFromJSON) return;

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? "{}" : JSON.stringify(body),
    }).then(function (res) {
      if (!res.ok) throw new Error(String(res.status));
      return res.status === 204 ? null : res.json();
    });
  }

  function failed(box) {
    var out = box.querySelector("[role=alert]");
    out.textContent = box.dataset.error;
    out.hidden = false;
  }

  var add = document.querySelector(".passkey-add");
  if (add) {
    add.hidden = false;
    document.getElementById("passkey-add").addEventListener("click", function () {
      var name = document.getElementById("f-passkey-name").value.trim() || "Passkey";
      post("/account/passkeys/options", add.dataset.csrf)
        .then(function (options) {
          return navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(options.publicKey) });
        })
        .then(function (credential) {
          return post("/account/passkeys", add.dataset.csrf, { name: name, credential: credential.toJSON() });
        })
        .then(function () { window.location.assign("/account/2fa?done=passkey-added"); })
        .catch(function () { failed(add); });
    });
  }

  var login = document.querySelector(".passkey-login");
  if (login) {
    login.hidden = false;
    document.getElementById("passkey-login").addEventListener("click", function () {
      post("/login/passkey/options", login.dataset.csrf)
        .then(function (options) {
          return navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(options.publicKey) });
        })
        .then(function (credential) { return post("/login/passkey", login.dataset.csrf, credential.toJSON()); })
        .then(function () { window.location.assign(login.dataset.next || "/"); })
        .catch(function () { failed(login); });
    });
  }
})();
