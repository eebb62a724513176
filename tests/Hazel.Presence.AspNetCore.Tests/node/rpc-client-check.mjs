// Drives the real Effect RpcClient (HTTP protocol, NDJSON serialization, effect's own FetchHttpClient) against a
// Hazel.Presence RPC endpoint, with the RPC schemas and auth middleware defined the way Hazel Chat defines them.
//
//   node rpc-client-check.mjs <4.1.0|beta> <baseUrl>
//
// Prints one "PASS name" / "FAIL name: why" line per check and exits 1 if any check failed.
const [flavor, baseUrl] = process.argv.slice(2);
if (!["4.1.0", "beta"].includes(flavor) || !baseUrl) {
  console.error("usage: node rpc-client-check.mjs <4.1.0|beta> <baseUrl>");
  process.exit(2);
}

// effect 4.1.0 ships rpc/http at the top level; 4.0.0-beta.57 (what Hazel pins) under unstable/.
const pkg = flavor === "beta" ? "effect-beta" : "effect";
const sub = flavor === "beta" ? "/unstable" : "";
const { DateTime, Effect, Layer, Schema } = await import(pkg);
const { Rpc, RpcClient, RpcGroup, RpcMiddleware, RpcSerialization } = await import(`${pkg}${sub}/rpc`);
const { FetchHttpClient, Headers } = await import(`${pkg}${sub}/http`);

// --- Hazel's domain schemas -------------------------------------------------------------------------------
const TaggedError = Schema.TaggedErrorClass ?? Schema.TaggedError;
class UnauthorizedError extends TaggedError()("UnauthorizedError", { message: Schema.String, detail: Schema.String }) {}
class InternalServerError extends TaggedError()("InternalServerError", {
  message: Schema.String,
  detail: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Any),
}) {}

const Uuid = Schema.String.check(Schema.isUUID());
const JsonDate = Schema.Union([Schema.DateTimeUtcFromString, Schema.Date]);
const Status = Schema.Literals(["online", "away", "busy", "dnd", "offline"]);
const UserPresenceStatus = Schema.Struct({
  id: Uuid,
  userId: Uuid,
  status: Status,
  customMessage: Schema.NullOr(Schema.String),
  statusEmoji: Schema.NullOr(Schema.String),
  statusExpiresAt: Schema.NullOr(JsonDate),
  activeChannelId: Schema.NullOr(Uuid),
  suppressNotifications: Schema.Boolean,
  updatedAt: JsonDate,
  lastSeenAt: JsonDate,
});
const UserPresenceStatusResponse = Schema.Struct({ data: UserPresenceStatus, transactionId: Schema.Number });
const RpcErrors = Schema.Union([UnauthorizedError, InternalServerError]);

class AuthMiddleware extends RpcMiddleware.Service()("AuthMiddleware", { error: UnauthorizedError, requiredForClient: true }) {}

const UserPresenceStatusRpcs = RpcGroup.make(
  Rpc.make("userPresenceStatus.update", {
    payload: {
      status: Schema.optional(Status),
      customMessage: Schema.optional(Schema.NullOr(Schema.String)),
      statusEmoji: Schema.optional(Schema.NullOr(Schema.String)),
      statusExpiresAt: Schema.optional(Schema.NullOr(JsonDate)),
      activeChannelId: Schema.optional(Schema.NullOr(Uuid)),
      suppressNotifications: Schema.optional(Schema.Boolean),
    },
    success: UserPresenceStatusResponse,
    error: RpcErrors,
  }),
  Rpc.make("userPresenceStatus.heartbeat", {
    payload: Schema.Struct({}),
    success: Schema.Struct({ lastSeenAt: JsonDate }),
    error: RpcErrors,
  }),
  Rpc.make("userPresenceStatus.clearStatus", {
    payload: Schema.Struct({}),
    success: UserPresenceStatusResponse,
    error: RpcErrors,
  }),
).middleware(AuthMiddleware);

// --- Client wiring, as Hazel's web client does it ---------------------------------------------------------
let token = null; // the bearer token the auth middleware adds; null sends none
const AuthClientLive = RpcMiddleware.layerClient(AuthMiddleware, ({ request, next }) =>
  next(token === null ? request : { ...request, headers: Headers.set(request.headers, "authorization", `Bearer ${token}`) }));
const ProtocolLive = RpcClient.layerProtocolHttp({ url: `${baseUrl}/rpc` }).pipe(
  Layer.provide(RpcSerialization.layerNdjson),
  Layer.provide(FetchHttpClient.layer),
);

// --- Checks -----------------------------------------------------------------------------------------------
const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";
const channelA = "2b6621a4-63ea-459c-964b-18f4357f5b54";
const channelB = "62be34dd-3418-4f0d-a011-9ab784fc6caa";
const expiry = "2030-01-02T03:04:05.678Z";
const ms = (d) => (d === null ? null : d instanceof Date ? d.getTime() : DateTime.toEpochMillis(d));
const iso = (d) => (d === null ? null : new Date(ms(d)).toISOString());

function expect(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const program = Effect.gen(function* () {
  const client = yield* RpcClient.make(UserPresenceStatusRpcs);
  const update = client["userPresenceStatus.update"];
  const heartbeat = client["userPresenceStatus.heartbeat"];
  const clearStatus = client["userPresenceStatus.clearStatus"];
  const results = [];
  const check = function* (name, body) {
    const outcome = yield* Effect.exit(Effect.gen(body));
    if (outcome._tag === "Success") results.push(`PASS ${name}`);
    else results.push(`FAIL ${name}: ${String(outcome.cause).split("\n").slice(0, 3).join(" | ")}`);
  };

  yield* check("update-all-fields", function* () {
    token = `user:${A}`;
    const r = yield* update({ status: "busy", customMessage: "Deep work — back at 3", statusEmoji: "📅", statusExpiresAt: new Date(expiry), activeChannelId: channelA, suppressNotifications: true });
    expect(typeof r.transactionId, "number", "transactionId type");
    expect(r.data.userId, A, "userId");
    expect(r.data.status, "busy", "status");
    expect(r.data.customMessage, "Deep work — back at 3", "customMessage");
    expect(r.data.statusEmoji, "📅", "statusEmoji");
    expect(iso(r.data.statusExpiresAt), expiry, "statusExpiresAt");
    expect(r.data.activeChannelId, channelA, "activeChannelId");
    expect(r.data.suppressNotifications, true, "suppressNotifications");
  });

  yield* check("update-omitted-fields-keep-values", function* () {
    const r = yield* update({ status: "away" });
    expect(r.data.status, "away", "status");
    expect(r.data.customMessage, "Deep work — back at 3", "customMessage");
    expect(r.data.statusEmoji, "📅", "statusEmoji");
    expect(iso(r.data.statusExpiresAt), expiry, "statusExpiresAt");
    expect(r.data.activeChannelId, channelA, "activeChannelId");
    expect(r.data.suppressNotifications, true, "suppressNotifications");
  });

  yield* check("update-null-clears-field", function* () {
    const r = yield* update({ customMessage: null, statusExpiresAt: null });
    expect(r.data.customMessage, null, "customMessage");
    expect(r.data.statusExpiresAt, null, "statusExpiresAt");
    expect(r.data.statusEmoji, "📅", "statusEmoji");
    expect(r.data.status, "away", "status");
  });

  yield* check("update-undefined-sent-as-null-keeps-status", function* () {
    const r = yield* update({ status: undefined, customMessage: "Focus", statusEmoji: "🎧", statusExpiresAt: null, suppressNotifications: undefined });
    expect(r.data.status, "away", "status");
    expect(r.data.suppressNotifications, true, "suppressNotifications");
    expect(r.data.customMessage, "Focus", "customMessage");
  });

  yield* check("heartbeat-lastSeenAt-monotonic", function* () {
    const first = yield* heartbeat({});
    const second = yield* heartbeat({});
    if (!(ms(second.lastSeenAt) >= ms(first.lastSeenAt))) throw new Error("lastSeenAt went backwards");
  });

  yield* check("clearStatus-clears-custom-status", function* () {
    yield* update({ customMessage: "Back soon", statusEmoji: "☕", statusExpiresAt: new Date(expiry), suppressNotifications: true });
    const r = yield* clearStatus({});
    expect(r.data.customMessage, null, "customMessage");
    expect(r.data.statusEmoji, null, "statusEmoji");
    expect(r.data.statusExpiresAt, null, "statusExpiresAt");
    expect(r.data.suppressNotifications, false, "suppressNotifications");
    expect(r.data.status, "away", "status");
    expect(r.data.activeChannelId, channelA, "activeChannelId");
  });

  yield* check("no-token-unauthorized", function* () {
    token = null;
    const caught = (e) => Effect.succeed(`${e._tag}:${e.detail}`);
    const u = yield* update({ status: "online" }).pipe(Effect.map(() => "succeeded"), Effect.catchTag("UnauthorizedError", caught));
    const h = yield* heartbeat({}).pipe(Effect.map(() => "succeeded"), Effect.catchTag("UnauthorizedError", caught));
    const c = yield* clearStatus({}).pipe(Effect.map(() => "succeeded"), Effect.catchTag("UnauthorizedError", caught));
    for (const v of [u, h, c]) expect(v, "UnauthorizedError:Bearer token required", "outcome");
  });

  yield* check("invalid-token-unauthorized", function* () {
    token = "not-a-valid-token";
    const v = yield* heartbeat({}).pipe(Effect.map(() => "succeeded"), Effect.catchTag("UnauthorizedError", (e) => Effect.succeed(e.detail)));
    expect(v, "Invalid bearer token", "outcome");
  });

  yield* check("two-users-isolated", function* () {
    token = `user:${B}`;
    const b = yield* update({ status: "dnd", customMessage: "B only", statusEmoji: "🛑", statusExpiresAt: null, activeChannelId: channelB, suppressNotifications: true });
    expect(b.data.userId, B, "B userId");
    token = `user:${A}`;
    const a = yield* update({});
    expect(a.data.userId, A, "A userId");
    expect(a.data.status, "away", "A status");
    expect(a.data.customMessage, null, "A customMessage");
    expect(a.data.activeChannelId, channelA, "A activeChannelId");
    expect(a.data.suppressNotifications, false, "A suppressNotifications");
    if (a.data.id === b.data.id) throw new Error("A and B share a row id");
    token = `user:${B}`;
    const b2 = yield* update({});
    expect(b2.data.status, "dnd", "B status");
    expect(b2.data.customMessage, "B only", "B customMessage");
  });

  return results;
});

const results = await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ProtocolLive, AuthClientLive))));
for (const line of results) console.log(line);
process.exit(results.every((line) => line.startsWith("PASS")) ? 0 : 1);
