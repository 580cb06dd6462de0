// Remiss's one script, on signed-in pages. Every page works without it; it adds
// two things a lost draft needs:
// - a warning before the session ends for want of requests (WCAG 2.2.1), with a
//   button that keeps the session;
// - a copy, in this browser, of a form marked `data-keep-copy` (the draft's
//   editor) while it is typed, offered back when the page later shows something
//   else (the save never arrived), and forgotten once saved or at logout.
(function () {
  'use strict';

  var body = document.body;
  var user = body.dataset.user;
  if (!user) {
    return;
  }
  var main = document.getElementById('main') || body;
  var csrfField = document.querySelector('input[name="csrf_token"]');
  var csrf = csrfField ? csrfField.value : '';
  var copyPrefix = 'remiss-copy:' + user + ':';

  // ------------------------------------------------------------------
  // The warning before the session ends.

  var warnAfter = Number(body.dataset.sessionWarningIn) * 1000;
  var warning = null;
  var announcer = document.createElement('div');
  announcer.className = 'visually-hidden';
  announcer.setAttribute('role', 'status');
  announcer.id = 'session-status';
  body.appendChild(announcer);

  // The moment to warn, kept on the page so that it can be read (and, in the
  // tests, moved).
  function schedule() {
    body.dataset.sessionWarnAt = String(Date.now() + warnAfter);
  }

  function check() {
    if (!warning && Date.now() >= Number(body.dataset.sessionWarnAt)) {
      showWarning();
    }
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) {
      made.className = className;
    }
    if (text) {
      made.textContent = text;
    }
    return made;
  }

  function showWarning() {
    warning = element('div', 'notice warning session-warning');
    warning.setAttribute('role', 'alert');
    warning.appendChild(element('p', '', 'Du loggas snart ut, eftersom du inte har sparat eller bytt sida på en stund. Det du skriver finns kvar i den här webbläsaren.'));
    var stay = element('button', 'button', 'Fortsätt vara inloggad');
    stay.type = 'button';
    stay.addEventListener('click', staySignedIn);
    warning.appendChild(stay);
    main.insertBefore(warning, main.firstChild);
  }

  function staySignedIn() {
    var form = new URLSearchParams();
    form.set('csrf_token', csrf);
    fetch('/session', { method: 'POST', body: form, credentials: 'same-origin', redirect: 'manual' })
      .then(function (response) {
        if (response.status === 204) {
          warning.remove();
          warning = null;
          announcer.textContent = 'Du är fortfarande inloggad.';
          schedule();
        } else {
          signedOut();
        }
      }, function () {
        warning.firstChild.textContent = 'Remiss svarar inte just nu. Försök igen om en stund; det du skriver finns kvar i den här webbläsaren.';
      });
  }

  function signedOut() {
    warning.textContent = '';
    warning.appendChild(element('p', '', 'Du har redan loggats ut. Det du har skrivit finns kvar i den här webbläsaren och erbjuds dig igen när du har loggat in.'));
    var login = element('a', 'button', 'Logga in igen');
    login.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
    warning.appendChild(login);
  }

  schedule();
  window.setInterval(check, 15000);
  window.addEventListener('focus', check);
  document.addEventListener('visibilitychange', check);

  // ------------------------------------------------------------------
  // The copy of a form in this browser.

  function read(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key));
    } catch (e) {
      return null;
    }
  }

  function write(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      // Storage full or turned off: the server's answers still keep the text.
    }
  }

  function forget(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (e) {
      // Nothing was kept.
    }
  }

  function controls(form) {
    return Array.prototype.filter.call(form.elements, function (control) {
      return control.name && control.name !== 'csrf_token' && control.type !== 'submit' && control.type !== 'button';
    });
  }

  function fieldsOf(form) {
    return controls(form).map(function (control) {
      return [control.name, control.value];
    });
  }

  // What a person would call the same text: blank rows do not count.
  function sameText(a, b) {
    function filled(fields) {
      return JSON.stringify(fields.filter(function (field) {
        return field[1].trim() !== '';
      }));
    }
    return filled(a) === filled(b);
  }

  // A new blank row like the one holding `control` (a proposal, a signatory),
  // for a copy with more rows than the page.
  function addRowAfter(control, number) {
    var row = control.closest('li, .field-row');
    if (!row) {
      return;
    }
    var added = row.cloneNode(true);
    added.querySelectorAll('[id]').forEach(function (part) {
      part.id = part.id + '-kopia-' + number;
    });
    added.querySelectorAll('label[for]').forEach(function (label) {
      label.htmlFor = label.htmlFor + '-kopia-' + number;
    });
    added.querySelectorAll('input, textarea').forEach(function (part) {
      part.value = '';
    });
    row.parentNode.insertBefore(added, row.nextSibling);
  }

  function restore(form, fields) {
    var seen = {};
    fields.forEach(function (field, number) {
      var name = field[0];
      var index = seen[name] || 0;
      seen[name] = index + 1;
      var named = controls(form).filter(function (control) {
        return control.name === name;
      });
      if (index >= named.length && named.length > 0) {
        addRowAfter(named[named.length - 1], number);
        named = controls(form).filter(function (control) {
          return control.name === name;
        });
      }
      if (named[index]) {
        named[index].value = field[1];
      }
    });
  }

  function offer(form, key, copy) {
    var box = element('div', 'notice warning kept-copy');
    box.setAttribute('role', 'region');
    box.setAttribute('aria-labelledby', 'kept-copy-title');
    var heading = element('h2', '', 'Text som inte har sparats');
    heading.id = 'kept-copy-title';
    box.appendChild(heading);
    var at = new Date(copy.at).toLocaleString('sv-SE', { dateStyle: 'short', timeStyle: 'short' });
    box.appendChild(element('p', '', 'I den här webbläsaren finns en kopia av texten du skrev ' + at + ', som inte kom fram till Remiss. Vill du ta tillbaka den i stället för texten nedan?'));
    var take = element('button', 'button', 'Ta tillbaka texten');
    take.type = 'button';
    var drop = element('button', 'button-secondary', 'Släng kopian');
    drop.type = 'button';
    var actions = element('p', 'actions');
    actions.appendChild(take);
    actions.appendChild(document.createTextNode(' '));
    actions.appendChild(drop);
    box.appendChild(actions);
    take.addEventListener('click', function () {
      restore(form, copy.fields);
      box.textContent = '';
      box.setAttribute('role', 'status');
      box.appendChild(element('p', '', 'Texten är tillbaka i formuläret. Den är inte sparad än: spara utkastet för att behålla den.'));
    });
    drop.addEventListener('click', function () {
      forget(key);
      box.remove();
    });
    var place = form.closest('.with-side-panel') || form;
    place.parentNode.insertBefore(box, place);
  }

  function keepCopies(form) {
    var key = copyPrefix + form.getAttribute('action');
    if (document.querySelector('[data-draft-saved]')) {
      forget(key);
    }
    var copy = read(key);
    if (copy && copy.fields && !sameText(copy.fields, fieldsOf(form))) {
      offer(form, key, copy);
    }
    form.addEventListener('input', function () {
      write(key, { at: Date.now(), fields: fieldsOf(form) });
    });
  }

  document.querySelectorAll('form[data-keep-copy]').forEach(keepCopies);

  // What this person typed stays out of reach of the next person at this
  // computer: logging out forgets every copy.
  document.querySelectorAll('form[data-logout]').forEach(function (logout) {
    logout.addEventListener('submit', function () {
      try {
        Object.keys(window.localStorage).forEach(function (key) {
          if (key.indexOf(copyPrefix) === 0) {
            window.localStorage.removeItem(key);
          }
        });
      } catch (e) {
        // Nothing was kept.
      }
    });
  });
}());
