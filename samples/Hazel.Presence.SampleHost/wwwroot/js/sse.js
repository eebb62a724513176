// A Server-Sent Events parser for a fetch() response body. EventSource cannot send an Authorization
// header, so the page reads the stream itself. Follows the WHATWG event-stream rules: fields per line,
// a blank line dispatches, ':' starts a comment, one optional space after the colon.

/**
 * Reads `body` until it ends, calling `onEvent({ id, event, data })` for each dispatched event.
 * `id` is the last event id seen so far (carried over between events, as EventSource does).
 */
export async function readEventStream(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let data = [];
  let event = "";
  let lastId = null;

  const processLine = (line) => {
    if (line === "") {
      if (data.length > 0) {
        onEvent({ id: lastId, event: event || "message", data: data.join("\n") });
      }
      data = [];
      event = "";
      return;
    }
    if (line.startsWith(":")) {
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) {
      value = value.slice(1);
    }
    if (field === "data") {
      data.push(value);
    } else if (field === "event") {
      event = value;
    } else if (field === "id" && !value.includes("\0")) {
      lastId = value;
    }
  };

  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += value;
      for (;;) {
        const end = buffer.search(/[\r\n]/);
        if (end < 0) {
          break;
        }
        // A "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
        if (buffer[end] === "\r" && end === buffer.length - 1) {
          break;
        }
        const width = buffer[end] === "\r" && buffer[end + 1] === "\n" ? 2 : 1;
        processLine(buffer.slice(0, end));
        buffer = buffer.slice(end + width);
      }
    }
  } finally {
    reader.releaseLock();
  }
}
