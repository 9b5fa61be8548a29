/** What the demo page shows. */
export interface PageModel {
  views: number;
  user: string | null;
  flash: string | null;
  prefs: Record<string, unknown>;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Renders the demo's single HTML page. */
export function renderPage({ views, user, flash, prefs }: PageModel): string {
  const theme = typeof prefs.theme === 'string' ? prefs.theme : 'light';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>@sessions demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
.flash{background:#e6f4ea;padding:.5rem 1rem;border-radius:.25rem}</style></head>
<body data-theme="${escapeHtml(theme)}">
<h1>@sessions demo</h1>
${flash ? `<p class="flash" id="flash">${escapeHtml(flash)}</p>` : ''}
<p>Visits: <strong id="views">${views}</strong></p>
<p>Signed in as: <strong id="user">${user ? escapeHtml(user) : 'nobody'}</strong></p>
${
  user
    ? `<form method="post" action="/logout"><button id="logout">Sign out</button></form>`
    : `<form method="post" action="/login"><label>Username <input name="username" id="username" required></label> <button id="login">Sign in</button></form>`
}
<h2>Preferences</h2>
<form id="prefs"><label>Theme <select name="theme" id="theme">
<option value="light"${theme === 'light' ? ' selected' : ''}>light</option>
<option value="dark"${theme === 'dark' ? ' selected' : ''}>dark</option>
</select></label> <button>Save</button></form>
<script>
document.getElementById('prefs').addEventListener('submit', async (event) => {
  event.preventDefault();
  const theme = document.getElementById('theme').value;
  await fetch('/api/prefs/theme', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(theme) });
  location.reload();
});
</script>
</body>
</html>`;
}
