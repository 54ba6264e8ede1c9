// The company form's live checks, as the server runs them: the rules (country codes, VAT
// and postal code formats, messages) come from the server in #company-rules. The Create
// company button stays grey and disabled until every field is valid. (The country list's
// names come from the server, in the page's language: the form works without this.)
(function () {
  'use strict';
  var form = document.getElementById('company-form');
  var button = document.getElementById('create-company');
  var rulesNode = document.getElementById('company-rules');
  if (!form || !button || !rulesNode) return;
  var rules = JSON.parse(rulesNode.textContent);
  var fields = ['name', 'vatNumber', 'street', 'postalCode', 'city', 'country'];
  var touched = {};
  var vat = {};
  var postal = {};
  Object.keys(rules.vat).forEach(function (c) { vat[c] = new RegExp(rules.vat[c]); });
  Object.keys(rules.postal).forEach(function (c) { postal[c] = new RegExp(rules.postal[c]); });
  var vatGeneric = new RegExp(rules.vatGeneric);
  var postalGeneric = new RegExp(rules.postalGeneric);
  var countries = rules.countries.split(' ');

  function value(name) { return (form.elements[name].value || '').trim(); }
  function hasControl(text) { return /[\u0000-\u001f\u007f-\u009f]/.test(text); }

  function country() {
    var c = value('country').toUpperCase();
    return countries.indexOf(c) >= 0 ? c : null;
  }

  function belgianCheck(digits) {
    var body = parseInt(digits.slice(0, 8), 10);
    var check = parseInt(digits.slice(8), 10);
    return 97 - (body % 97) === check;
  }

  function checkVat(text) {
    var compact = text.replace(/[\s.\-\u00a0]/g, '').toUpperCase();
    var c = country();
    if (!c) return vatGeneric.test(compact);
    var prefix = rules.vatPrefix[c] || c;
    var re = vat[c];
    // The prefix may be left out, as the server accepts (src/domain/country.rs).
    if (compact.indexOf(prefix) !== 0 && (/^[0-9]/.test(compact) || (re && re.test(prefix + compact)))) compact = prefix + compact;
    if (!re) return vatGeneric.test(compact);
    if (!re.test(compact)) return false;
    return c !== 'BE' || belgianCheck(compact.slice(2));
  }

  function checkPostal(text) {
    var c = country();
    var re = (c && postal[c]) || postalGeneric;
    return re.test(text.toUpperCase());
  }

  function problem(name) {
    var text = value(name);
    var m = rules.messages;
    if (!text) return m.required;
    if (hasControl(text) || text.length > rules.max[name]) return m.invalid[name];
    if (name === 'country' && !country()) return m.invalid.country;
    if (name === 'vatNumber' && !checkVat(text)) return m.invalid.vatNumber;
    if (name === 'postalCode' && !checkPostal(text)) return m.invalid.postalCode;
    return '';
  }

  function validate() {
    var valid = true;
    fields.forEach(function (name) {
      var message = problem(name);
      var input = form.elements[name];
      var error = document.getElementById(name + '-error');
      if (message) valid = false;
      var show = message && (touched[name] || value(name) !== '');
      error.textContent = show ? message : '';
      if (show) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    });
    button.disabled = !valid;
    return valid;
  }

  form.addEventListener('input', function (event) {
    if (event.target && event.target.name) touched[event.target.name] = true;
    validate();
  });
  form.addEventListener('submit', function (event) {
    fields.forEach(function (name) { touched[name] = true; });
    if (!validate()) { event.preventDefault(); return; }
    button.disabled = true; // one click, one post
  });
  validate();
})();
