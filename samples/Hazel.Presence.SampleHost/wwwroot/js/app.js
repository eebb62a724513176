// The sample page: sign in, edit your own presence, and watch everyone's presence live.
import { ApiError, request, toApiError } from "./api.js";
import { readEventStream } from "./sse.js";

const statusLabels = {
  online: "Online",
  away: "Away",
  busy: "Busy",
  dnd: "Do not disturb",
  offline: "Offline",
};
const sessionKey = "hazel-presence-sample-session";

const $ = (id) => document.getElementById(id);
const ui = {
  session: $("session"),
  signedInName: $("signed-in-name"),
  signOut: $("sign-out"),
  error: $("error"),
  notice: $("notice"),
  signIn: $("sign-in"),
  signInForm: $("sign-in-form"),
  signInHint: $("sign-in-hint"),
  userName: $("user-name"),
  tokenForm: $("token-form"),
  tokenInput: $("token-input"),
  me: $("me"),
  statusForm: $("status-form"),
  emoji: $("status-emoji"),
  message: $("custom-message"),
  expiry: $("status-expiry"),
  clearStatus: $("clear-status"),
  suppress: $("suppress-notifications"),
  channel: $("active-channel"),
  lastSeen: $("last-seen"),
  people: $("people"),
  streamState: $("stream-state"),
  users: $("users"),
  usersEmpty: $("users-empty"),
  offlineHint: $("offline-hint"),
};

let config = { signInAvailable: false, heartbeatIntervalSeconds: 30 };
// { token, userId, userName, expiresAt } while signed in.
let session = null;
// Stops the stream reader and the timers of the current session.
let sessionAbort = null;
const records = new Map();
const names = new Map();
let lastEventId = "0";
let lastHeartbeat = 0;
let directoryRefresh = null;

// ---- messages -------------------------------------------------------------------------------

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

function showNotice(text) {
  ui.notice.textContent = text;
}

function markInvalid(fieldErrors) {
  const inputs = { customMessage: ui.message, statusEmoji: ui.emoji, statusExpiresAt: ui.expiry, userName: ui.userName };
  for (const [field, input] of Object.entries(inputs)) {
    if (field in fieldErrors) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "error");
    } else {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
  }
}

/** Shows a failure in words; a rejected token ends the session so the person can sign in again. */
function handleError(error) {
  if (error?.name === "AbortError") {
    return;
  }
  if (error instanceof ApiError) {
    markInvalid(error.fieldErrors);
    if (error.unauthorized) {
      signOut();
    }
    showError(error.message);
    return;
  }
  console.error(error);
  showError(`Something went wrong in the page: ${error?.message ?? error}`);
}

// ---- session --------------------------------------------------------------------------------

async function start() {
  try {
    config = await request("GET", "/sample/config");
  } catch (error) {
    handleError(error);
  }
  ui.signInForm.hidden = !config.signInAvailable;
  ui.signInHint.hidden = !config.signInAvailable;
  ui.tokenForm.hidden = config.signInAvailable;
  ui.offlineHint.textContent =
    `Someone without a heartbeat for ${formatDuration(config.offlineAfterSeconds)} turns offline.`;

  const stored = JSON.parse(sessionStorage.getItem(sessionKey) ?? "null");
  if (stored && Date.parse(stored.expiresAt) > Date.now()) {
    beginSession(stored);
  } else {
    if (stored) {
      sessionStorage.removeItem(sessionKey);
      showError("Your session has expired. Please sign in again.");
    }
    showSignIn();
  }
}

function showSignIn() {
  ui.signIn.hidden = false;
  ui.me.hidden = true;
  ui.people.hidden = true;
  ui.session.hidden = true;
  (config.signInAvailable ? ui.userName : ui.tokenInput).focus();
}

function beginSession(newSession) {
  session = newSession;
  sessionStorage.setItem(sessionKey, JSON.stringify(session));
  sessionAbort = new AbortController();
  names.set(session.userId, session.userName);

  ui.signedInName.textContent = session.userName;
  ui.session.hidden = false;
  ui.signIn.hidden = true;
  ui.me.hidden = false;
  ui.people.hidden = false;

  const signal = sessionAbort.signal;
  loadMe().catch(handleError);
  runStream(signal);
  refreshDirectory();

  const beat = setInterval(() => heartbeat(), config.heartbeatIntervalSeconds * 1000);
  const tick = setInterval(renderUsers, 1000);
  signal.addEventListener("abort", () => {
    clearInterval(beat);
    clearInterval(tick);
  });
}

function signOut() {
  sessionAbort?.abort();
  sessionAbort = null;
  session = null;
  sessionStorage.removeItem(sessionKey);
  records.clear();
  lastEventId = "0";
  renderUsers();
  showNotice("");
  showSignIn();
}

ui.signInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  showError("");
  try {
    const result = await request("POST", "/auth/sign-in", { body: { userName: ui.userName.value } });
    markInvalid({});
    beginSession({ token: result.accessToken, userId: result.userId, userName: result.userName, expiresAt: result.expiresAt });
  } catch (error) {
    handleError(error);
  }
});

ui.tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  showError("");
  const token = ui.tokenInput.value.trim();
  try {
    // Only to label the page; the server validates the token on every call.
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    beginSession({ token, userId: claims.sub, userName: claims.name ?? claims.sub, expiresAt: new Date(claims.exp * 1000).toISOString() });
  } catch {
    showError("That does not look like a JWT bearer token.");
  }
});

ui.signOut.addEventListener("click", signOut);

// ---- own presence ---------------------------------------------------------------------------

/** A call as the signed-in user; after sign-out it fails like an aborted request, which is ignored. */
function api(method, path, body) {
  if (!session) {
    return Promise.reject(new DOMException("Signed out.", "AbortError"));
  }
  return request(method, path, { token: session.token, body, signal: sessionAbort.signal });
}

async function loadMe() {
  // Opening the page is activity: the heartbeat creates the record (online) or restores the status an
  // automatic offline replaced, so the form then shows what the user really chose.
  if (await heartbeat()) {
    fillForm(await api("GET", "/presence/me"));
  }
}

function fillForm(record) {
  // A user without a record reads as offline; the first heartbeat makes them online.
  const status = record.transactionId === 0 ? "online" : record.status;
  for (const radio of ui.statusForm.elements.status) {
    radio.checked = radio.value === status;
  }
  ui.message.value = record.customMessage ?? "";
  ui.emoji.value = record.statusEmoji ?? "";
  ui.expiry.value = "none";
  ui.suppress.checked = record.suppressNotifications;
  ui.channel.value = record.activeChannelId ?? "";
  showLastSeen(record.lastSeenAt);
  if (record.transactionId > 0) {
    applyRecord(record);
  }
}

function showLastSeen(lastSeenAt) {
  if (!lastSeenAt || Date.parse(lastSeenAt) <= 0) {
    return;
  }
  ui.lastSeen.dateTime = lastSeenAt;
  ui.lastSeen.textContent = new Date(lastSeenAt).toLocaleTimeString();
}

/** Tells the server the user is active; false when it failed (the failure is shown). */
async function heartbeat() {
  if (!session) {
    return false;
  }
  lastHeartbeat = Date.now();
  try {
    const result = await api("POST", "/presence/me/heartbeat");
    showLastSeen(result.lastSeenAt);
    return true;
  } catch (error) {
    handleError(error);
    return false;
  }
}

function heartbeatSoon() {
  // Focus and visibility events come in bursts; one beat per few seconds is plenty.
  if (session && document.visibilityState === "visible" && Date.now() - lastHeartbeat > 3000) {
    heartbeat();
  }
}
window.addEventListener("focus", heartbeatSoon);
document.addEventListener("visibilitychange", heartbeatSoon);

function expiryFromPreset(preset) {
  const now = new Date();
  switch (preset) {
    case "30m": return new Date(now.getTime() + 30 * 60_000).toISOString();
    case "1h": return new Date(now.getTime() + 60 * 60_000).toISOString();
    case "today": {
      const endOfDay = new Date(now);
      endOfDay.setHours(23, 59, 59, 0);
      return endOfDay.toISOString();
    }
    default: return null;
  }
}

async function saveChange(body, doneText) {
  showError("");
  try {
    const result = await api("PATCH", "/presence/me", body);
    markInvalid({});
    applyRecord(result.data);
    showLastSeen(result.data.lastSeenAt);
    showNotice(doneText);
    return result.data;
  } catch (error) {
    handleError(error);
    return null;
  }
}

ui.statusForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const message = ui.message.value.trim();
  const emoji = ui.emoji.value.trim();
  await saveChange({
    status: ui.statusForm.elements.status.value || "online",
    customMessage: message || null,
    statusEmoji: emoji || null,
    statusExpiresAt: message || emoji ? expiryFromPreset(ui.expiry.value) : null,
  }, "Status saved.");
});

ui.clearStatus.addEventListener("click", async () => {
  showError("");
  try {
    const result = await api("DELETE", "/presence/me/custom-status");
    markInvalid({});
    fillForm(result.data);
    showNotice("Custom status cleared.");
  } catch (error) {
    handleError(error);
  }
});

ui.suppress.addEventListener("change", async () => {
  const saved = await saveChange({ suppressNotifications: ui.suppress.checked },
    ui.suppress.checked ? "Notifications suppressed." : "Notifications on.");
  if (!saved) {
    ui.suppress.checked = !ui.suppress.checked;
  }
});

ui.channel.addEventListener("change", async () => {
  const channel = ui.channel.value || null;
  await saveChange({ activeChannelId: channel }, channel ? `Active in #${channel}.` : "No active channel.");
});

for (const button of document.querySelectorAll("[data-emoji]")) {
  button.addEventListener("click", () => {
    ui.emoji.value = button.dataset.emoji;
    ui.message.focus();
  });
}

// ---- live list ------------------------------------------------------------------------------

function setStreamState(state, text) {
  ui.streamState.dataset.state = state;
  ui.streamState.textContent = text;
}

/** Keeps one stream open, resuming after the last event id so no change is missed. */
async function runStream(signal) {
  let delay = 1000;
  while (!signal.aborted) {
    try {
      const response = await fetch("/presence/stream", {
        headers: {
          Accept: "text/event-stream",
          Authorization: `Bearer ${session.token}`,
          // "0" on first connect replays every known record, so the list starts complete.
          "Last-Event-ID": lastEventId,
        },
        cache: "no-store",
        signal,
      });
      if (!response.ok) {
        throw await toApiError(response);
      }
      setStreamState("live", "live");
      delay = 1000;
      await readEventStream(response.body, (message) => {
        if (message.id) {
          lastEventId = message.id;
        }
        if (message.event === "presence") {
          applyRecord(JSON.parse(message.data));
        }
      });
    } catch (error) {
      if (signal.aborted) {
        return;
      }
      if (error instanceof ApiError && (error.unauthorized || error.status === 400)) {
        handleError(error);
        return;
      }
    }
    if (signal.aborted) {
      return;
    }
    setStreamState("error", "reconnecting…");
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

function applyRecord(record) {
  const known = records.get(record.userId);
  // A replay or an earlier response must not overwrite a newer change.
  if (known && known.transactionId > record.transactionId) {
    return;
  }
  records.set(record.userId, record);
  if (!names.has(record.userId)) {
    refreshDirectory();
  }
  renderUsers();
}

/** Looks up the names of users who signed in on this host (the stream carries ids only). */
function refreshDirectory() {
  if (directoryRefresh || !config.signInAvailable || !session) {
    return;
  }
  directoryRefresh = (async () => {
    try {
      const users = await api("GET", "/auth/users");
      for (const user of users) {
        names.set(user.userId, user.userName);
      }
      // Users who signed in but have no change since our replay still belong in the list.
      const missing = users.map((u) => u.userId).filter((id) => !records.has(id));
      if (missing.length > 0) {
        const query = missing.map((id) => `ids=${encodeURIComponent(id)}`).join("&");
        for (const record of await api("GET", `/presence/users?${query}`)) {
          if (record.transactionId > 0) {
            applyRecord(record);
          }
        }
      }
      renderUsers();
    } catch (error) {
      handleError(error);
    } finally {
      directoryRefresh = null;
    }
  })();
}

function formatRemaining(ms) {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0
    ? `clears in ${hours} h ${String(minutes).padStart(2, "0")} min`
    : `clears in ${minutes}:${String(seconds).padStart(2, "0")}`;
}

function formatDuration(seconds) {
  if (!seconds) return "a while";
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

function formatAgo(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 10) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return new Date(iso).toLocaleString();
}

function element(tag, className, text, testId) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  if (testId) node.dataset.testid = testId;
  return node;
}

function renderUser(record) {
  const name = names.get(record.userId) ?? `user ${record.userId.slice(0, 8)}`;
  const item = element("li", "user", null, "user-row");
  item.dataset.userId = record.userId;
  item.dataset.userName = name;
  item.dataset.status = record.status;

  const dot = element("span", `dot status-${record.status}`);
  dot.setAttribute("aria-hidden", "true");
  item.append(dot);

  const who = element("div", "line");
  who.append(element("span", "name", name));
  if (record.userId === session?.userId) {
    who.append(element("span", "you", " (you)"));
  }
  who.append(element("span", "status-label", statusLabels[record.status] ?? record.status, "user-status"));
  item.append(who);

  // Like the server's effective view: a custom status past its expiry reads as cleared.
  const expiresAt = record.statusExpiresAt ? Date.parse(record.statusExpiresAt) : null;
  const expired = expiresAt !== null && expiresAt <= Date.now();
  const custom = element("div", "line custom");
  if (!expired && (record.statusEmoji || record.customMessage)) {
    custom.append(element("span", "emoji", record.statusEmoji, "user-emoji"));
    custom.append(element("span", "message", record.customMessage, "user-message"));
    if (expiresAt !== null) {
      custom.append(element("span", "expiry", formatRemaining(expiresAt - Date.now()), "user-expiry"));
    }
  }
  item.append(custom);

  const meta = [];
  if (record.activeChannelId) meta.push(`in #${record.activeChannelId}`);
  if (record.suppressNotifications) meta.push("notifications suppressed");
  if (Date.parse(record.lastSeenAt) > 0) meta.push(`last seen ${formatAgo(record.lastSeenAt)}`);
  item.append(element("div", "line meta", meta.join(" · "), "user-meta"));
  return item;
}

function renderUsers() {
  const mine = session?.userId;
  const list = [...records.values()].sort((a, b) => {
    if (a.userId === mine) return -1;
    if (b.userId === mine) return 1;
    const nameA = names.get(a.userId) ?? a.userId;
    const nameB = names.get(b.userId) ?? b.userId;
    return nameA.localeCompare(nameB);
  });
  ui.users.replaceChildren(...list.map(renderUser));
  ui.usersEmpty.hidden = list.length > 0;
}

start();
