// Passkeys: the page holds the options for navigator.credentials as JSON data
// (#passkey-options) and a form (#passkey-form, data-mode "create" or "get"); the button
// asks the browser's authenticator and posts its answer (JSON, binary fields in base64url)
// in the form's hidden "credential" field. Without WebAuthn the page says so.
(function () {
  'use strict';
  var form = document.getElementById('passkey-form');
  var data = document.getElementById('passkey-options');
  if (!form || !data) return;
  var button = document.getElementById('passkey-button');
  var error = document.getElementById('passkey-error');
  if (!window.PublicKeyCredential || !navigator.credentials) {
    document.getElementById('passkey-unsupported').hidden = false;
    button.disabled = true;
    return;
  }

  function bytes(text) {
    var base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    var raw = atob(base64 + '==='.slice((base64.length + 3) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }

  function text(buffer) {
    if (!buffer) return null;
    var view = new Uint8Array(buffer);
    var raw = '';
    for (var i = 0; i < view.length; i++) raw += String.fromCharCode(view[i]);
    return btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function ids(list) {
    (list || []).forEach(function (c) { c.id = bytes(c.id); });
  }

  // The parts every credential shares, and its response's fields in base64url.
  function answer(credential, response) {
    return {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      extensions: credential.getClientExtensionResults(),
      response: response
    };
  }

  function created(credential) {
    var response = credential.response;
    return answer(credential, {
      attestationObject: text(response.attestationObject),
      clientDataJSON: text(response.clientDataJSON),
      transports: response.getTransports ? response.getTransports() : undefined
    });
  }

  function asserted(credential) {
    var response = credential.response;
    return answer(credential, {
      authenticatorData: text(response.authenticatorData),
      clientDataJSON: text(response.clientDataJSON),
      signature: text(response.signature),
      userHandle: text(response.userHandle)
    });
  }

  button.addEventListener('click', function () {
    error.textContent = '';
    // Read afresh each time: the conversions below change the options in place.
    var options = JSON.parse(data.textContent).publicKey;
    options.challenge = bytes(options.challenge);
    var asked;
    if (form.getAttribute('data-mode') === 'create') {
      options.user.id = bytes(options.user.id);
      ids(options.excludeCredentials);
      asked = navigator.credentials.create({ publicKey: options }).then(created);
    } else {
      ids(options.allowCredentials);
      asked = navigator.credentials.get({ publicKey: options }).then(asserted);
    }
    button.disabled = true;
    asked.then(function (answer) {
      document.getElementById('passkey-credential').value = JSON.stringify(answer);
      form.submit();
    }, function () {
      button.disabled = false;
      error.textContent = form.getAttribute('data-cancelled');
    });
  });
}());
