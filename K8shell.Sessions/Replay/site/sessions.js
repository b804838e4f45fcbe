// The Sessions replay page: lists sessions from /api/sessions and replays their .cast recordings with
// asciinema-player. Data from the API is only ever set as text, never as HTML.
const tokenKey = "k8shell-sessions-token";
const pageSize = 50;

const status = document.getElementById("status");
const filters = document.getElementById("filters");
const credential = document.getElementById("credential");
const table = document.getElementById("sessions");
const pages = document.getElementById("pages");
const replay = document.getElementById("replay");

let offset = 0;
let player = null;
// What each listed recording is, for the replay's title: "alice · ws-… · shell".
const recordingNames = new Map();

// A token in the address (#token=…, as the AppHost prints it) moves to this tab's storage and leaves the
// address, so it is neither bookmarked nor shown; the fragment never reaches the server.
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.has("token")) {
  sessionStorage.setItem(tokenKey, fragment.get("token"));
  fragment.delete("token");
  history.replaceState(null, "", fragment.size ? `#${fragment}` : location.pathname + location.search);
}

async function api(path) {
  const token = sessionStorage.getItem(tokenKey);
  if (!token) {
    throw new SignInNeeded("Sign in with an access token Sessions accepts.");
  }
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (response.status === 401) {
    sessionStorage.removeItem(tokenKey);
    throw new SignInNeeded("Sessions refused the access token; sign in again.");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error ?? `${path} answered ${response.status} ${response.statusText}`);
  }
  return response;
}

class SignInNeeded extends Error {}

function show(error) {
  status.textContent = error.message;
  status.className = "error";
  credential.hidden = !(error instanceof SignInNeeded);
}

async function listSessions() {
  const query = new URLSearchParams({ reverse: "true", limit: pageSize, offset });
  for (const [name, value] of new FormData(filters)) {
    if (value) query.set(name, value);
  }
  const { sessions, total } = await (await api(`/api/sessions?${query}`)).json();
  const rows = sessions.map(sessionRow);
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = false;
  status.textContent = total === 0 ? "No sessions match." : "";
  status.className = "";
  credential.hidden = true;
  pages.hidden = total <= pageSize;
  document.getElementById("range").textContent = `${offset + 1}–${offset + sessions.length} of ${total}`;
  document.getElementById("previous").disabled = offset === 0;
  document.getElementById("next").disabled = offset + sessions.length >= total;
}

function sessionRow(session) {
  const row = document.createElement("tr");
  row.dataset.sessionId = session.sessionId;
  const cells = [
    new Date(session.startTime).toLocaleString(),
    session.username,
    session.workspace,
    session.client,
    session.clientIp,
    duration(session),
    bytes(session.bytesIn),
    bytes(session.bytesOut),
    session.operations.join(" "),
  ];
  for (const [index, text] of cells.entries()) {
    const cell = row.insertCell();
    cell.textContent = text;
    if (index === 5 && !session.endTime) cell.className = "active";
    if (index === 6 || index === 7) cell.className = "number";
  }
  for (const recording of session.recordings) {
    recordingNames.set(recording.recordingId, `${session.username} · ${session.workspace} · ${recording.kind}`);
  }
  row.insertCell().append(...session.recordings.map(recordingLink));
  return row;
}

function recordingLink(recording) {
  const link = document.createElement("a");
  link.href = `#replay=${encodeURIComponent(recording.recordingId)}`;
  link.textContent = `${recording.kind}${recording.droppedBytes ? " (gaps)" : ""}`;
  link.title = `${recording.format}, ${bytes(recording.sizeBytes)}`;
  if (recording.format !== "asciinema") {
    // Only terminals replay here; a capture is for Wireshark.
    link.addEventListener("click", (event) => {
      event.preventDefault();
      download(recording.recordingId).catch(show);
    });
  }
  return link;
}

async function download(recordingId) {
  const response = await api(`/api/recordings/${encodeURIComponent(recordingId)}`);
  const name = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? recordingId;
  const anchor = document.createElement("a");
  anchor.href = URL.createObjectURL(await response.blob());
  anchor.download = name;
  anchor.click();
  URL.revokeObjectURL(anchor.href);
}

async function openReplay(recordingId) {
  const response = await api(`/api/recordings/${encodeURIComponent(recordingId)}`);
  const cast = await response.text();
  player?.dispose();
  const title = JSON.parse(cast.slice(0, cast.indexOf("\n"))).title;
  document.getElementById("replay-name").textContent = title || recordingNames.get(recordingId) || recordingId;
  document.getElementById("replay-download").onclick = () => download(recordingId).catch(show);
  replay.hidden = false;
  document.body.dataset.replay = "playing";
  player = AsciinemaPlayer.create({ data: cast }, document.getElementById("player"),
    { autoPlay: true, fit: "width", idleTimeLimit: 2, terminalFontSize: "medium" });
  player.addEventListener("ended", () => { document.body.dataset.replay = "ended"; });
}

function closeReplay() {
  player?.dispose();
  player = null;
  replay.hidden = true;
  delete document.body.dataset.replay;
  history.replaceState(null, "", location.pathname + location.search);
}

function route() {
  const recordingId = new URLSearchParams(location.hash.slice(1)).get("replay");
  if (recordingId) openReplay(recordingId).catch(show);
}

filters.addEventListener("submit", (event) => {
  event.preventDefault();
  offset = 0;
  listSessions().catch(show);
});
credential.addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(tokenKey, new FormData(credential).get("token"));
  credential.reset();
  listSessions().then(route).catch(show);
});
document.getElementById("previous").addEventListener("click", () => { offset = Math.max(0, offset - pageSize); listSessions().catch(show); });
document.getElementById("next").addEventListener("click", () => { offset += pageSize; listSessions().catch(show); });
document.getElementById("replay-close").addEventListener("click", closeReplay);
window.addEventListener("hashchange", route);

function duration(session) {
  const end = session.endTime ? new Date(session.endTime) : new Date();
  let seconds = Math.max(0, Math.round((end - new Date(session.startTime)) / 1000));
  const parts = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]]) {
    if (seconds >= size) {
      parts.push(`${Math.floor(seconds / size)}${unit}`);
      seconds %= size;
    }
  }
  parts.push(`${seconds}s`);
  return parts.slice(0, 2).join(" ") + (session.endTime ? "" : " (active)");
}

function bytes(count) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

listSessions().then(route).catch(show);
