/// The dashboard's one page: a shell the script fills with DOM calls.
enum DashboardPage {
    static let html = ##"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Purser dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/app.css">
<script src="/dashboard/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar">
  <span class="brand">Purser</span>
  <nav id="nav" aria-label="Sections"></nav>
  <span id="who" class="who"></span>
  <button id="sign-out" type="button" hidden>Sign out</button>
</header>
<main id="main" tabindex="-1"><p class="muted">Loading…</p></main>
<div id="toast" class="toast" role="status" aria-live="polite"></div>
<dialog id="confirm" aria-labelledby="confirm-title">
  <form method="dialog">
    <h2 id="confirm-title"></h2>
    <p id="confirm-text"></p>
    <div class="actions">
      <button id="confirm-cancel" value="cancel" type="submit">Cancel</button>
      <button id="confirm-ok" value="ok" type="submit" class="danger">Confirm</button>
    </div>
  </form>
</dialog>
</body>
</html>
"""##
}
