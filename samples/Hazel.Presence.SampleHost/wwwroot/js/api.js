// Calls to the host. Every failure becomes an ApiError whose message is written for a person.

const fieldLabels = {
  userName: "User name",
  status: "Status",
  customMessage: "Message",
  statusEmoji: "Emoji",
  statusExpiresAt: "Clear after",
  activeChannelId: "Active channel",
  suppressNotifications: "Suppress notifications",
};

export class ApiError extends Error {
  /**
   * @param {string} message  shown to the person
   * @param {number} status   HTTP status (0 when the server could not be reached)
   * @param {Record<string, string[]>} fieldErrors  validation errors by wire field name
   */
  constructor(message, status, fieldErrors = {}) {
    super(message);
    this.status = status;
    this.fieldErrors = fieldErrors;
  }

  get unauthorized() {
    return this.status === 401;
  }
}

/** Sends a request; `token` adds the bearer header, `body` is sent as JSON. */
export async function request(method, path, { token, body, signal } = {}) {
  const headers = { Accept: "application/json" };
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: "no-store",
    });
  } catch (error) {
    if (error.name === "AbortError") {
      throw error;
    }
    throw new ApiError("Cannot reach the server. Check that the sample host is running, then try again.", 0);
  }

  if (response.ok) {
    return response.status === 204 ? null : response.json();
  }
  throw await toApiError(response);
}

/** Turns a failed response into an ApiError with a readable message. */
export async function toApiError(response) {
  if (response.status === 401) {
    const challenge = response.headers.get("WWW-Authenticate") ?? "";
    const message = /expired/i.test(challenge)
      ? "Your session has expired. Please sign in again."
      : "You are not signed in, or your sign-in is no longer valid. Please sign in again.";
    return new ApiError(message, 401);
  }

  let problem = null;
  try {
    problem = await response.json();
  } catch {
    // Not JSON: fall back to the status code below.
  }

  if (response.status === 400 && problem?.errors) {
    const lines = Object.entries(problem.errors).map(
      ([field, messages]) => `${fieldLabels[field] ?? field}: ${messages.join(" ")}`);
    return new ApiError(lines.join("\n"), 400, problem.errors);
  }
  if (response.status >= 500) {
    return new ApiError(`The server hit an unexpected error (${response.status}). Please try again in a moment.`, response.status);
  }
  const detail = problem?.detail ?? problem?.title ?? response.statusText;
  return new ApiError(`The request failed (${response.status}${detail ? `: ${detail}` : ""}).`, response.status);
}
