import type { UserSessionInfo } from '@sessions/core';

/**
 * The "Your sessions" list: the signed-in user's sessions, `'unavailable'` on a store without a
 * user index, `null` when nobody is signed in (nothing is shown).
 */
export type PageSessions = readonly UserSessionInfo[] | 'unavailable' | null;

/** What the demo page shows. */
export interface PageModel {
  views: number;
  user: string | null;
  flash: string | null;
  prefs: Record<string, unknown>;
  /** Default `null`: no "Your sessions" section. */
  sessions?: PageSessions | undefined;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An epoch-ms time as `2025-01-31 14:05 UTC`, in a `<time>` element. */
const time = (ms: number): string => {
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
};

/** One session of the list; every other session gets a revoke button. */
function sessionItem(entry: UserSessionInfo): string {
  // The user agent is whatever the browser (or anyone with curl) sent: escaped like all the rest.
  const agent = escapeHtml(entry.info.userAgent ?? 'Unknown browser');
  const handle = escapeHtml(entry.handle);
  const when = `<small>signed in ${time(entry.createdAt)}, last active ${time(entry.lastActiveAt)}</small>`;
  if (entry.current) {
    return `<li class="session current" data-handle="${handle}"><span class="agent">${agent}</span> <strong class="this">(this browser)</strong><br>${when}</li>`;
  }
  const action = `/sessions/${escapeHtml(encodeURIComponent(entry.handle))}/revoke`;
  return `<li class="session" data-handle="${handle}"><span class="agent">${agent}</span><br>${when} <form method="post" action="${action}" class="revoke"><button>Sign out this session</button></form></li>`;
}

/** The "Your sessions" section, or nothing when nobody is signed in. */
function sessionsSection(sessions: PageSessions): string {
  if (sessions === null) return '';
  const title = '<h2 id="sessions-title">Your sessions</h2>';
  if (sessions === 'unavailable') {
    return `<section id="sessions" aria-labelledby="sessions-title">${title}
<p id="sessions-unavailable">This session store cannot list sessions (it has no user index).</p></section>`;
  }
  // The current session first, then the others by latest activity (as the manager lists them).
  const ordered = [...sessions].sort((a, b) => Number(b.current) - Number(a.current));
  return `<section id="sessions" aria-labelledby="sessions-title">${title}
<ul id="session-list">
${ordered.map(sessionItem).join('\n')}
</ul>
<form method="post" action="/sessions/revoke-others"><button id="revoke-others">Sign out everywhere else</button></form>
</section>`;
}

/** Renders the demo's single HTML page. */
export function renderPage({ views, user, flash, prefs, sessions = null }: PageModel): string {
  const theme = typeof prefs.theme === 'string' ? prefs.theme : 'light';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>@sessions demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
.flash{background:#e6f4ea;padding:.5rem 1rem;border-radius:.25rem}
.session{margin:.5rem 0}.session form{display:inline}</style></head>
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
${sessionsSection(sessions)}
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
