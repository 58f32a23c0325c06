// Loaded by sidebar.html ahead of the app's code: asks for the session, dictionaries and the card
// (or, inside WeCom, the JS-SDK signatures for this page) while the code downloads. h5/src/boot.ts
// reads the answer.
(function () {
  var params = new URLSearchParams(location.search);
  var query = new URLSearchParams();
  var inWecom = /wxwork/i.test(navigator.userAgent);
  // Inside WeCom the chat is known only from the JS-SDK; the dev shim keeps it in the URL.
  var contact = inWecom ? null : params.get('contact');
  var url = inWecom ? location.href.split('#')[0] : null;
  if (contact) query.set('contact', contact);
  if (url) query.set('url', url);
  window.__sidebarBoot = {
    contact: contact,
    url: url,
    response: fetch('/api/sidebar/boot?' + query.toString(), { credentials: 'same-origin', headers: { accept: 'application/json' } }),
  };
})();
