using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hazel.Presence.AspNetCore.Tests;

/// <summary>
/// Replays every exchange recorded between the real Effect client / raw probes and the Effect reference server
/// (Transcripts/, recorded between the real Effect client and server) against this endpoint, in order on one host (the
/// recordings build on each other's state), and compares the answers structurally: status, line framing, tags,
/// request ids with their JSON type, keys and every value that does not depend on time or on row ids.
/// </summary>
public sealed partial class TranscriptReplayTests
{
    private const string Reference = "effect-4.1.0";

    public static TheoryData<string> Versions => new() { "effect-4.1.0", "effect-4.0.0-beta.57" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Every_recorded_exchange_replays_with_the_same_structure(string version)
    {
        await using var host = await PresenceTestHost.StartAsync();
        var failures = new List<string>();
        var replayed = 0;
        foreach (var file in Directory.GetFiles(TranscriptDirectory(version), "*.json").Order(StringComparer.Ordinal))
        {
            var transcript = JsonNode.Parse(File.ReadAllText(file))!;
            var name = (string)transcript["name"]!;
            var exchanges = transcript["exchanges"]!.AsArray();
            var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(TranscriptDirectory(Reference), Path.GetFileName(file))))!["exchanges"]!.AsArray();
            for (var i = 0; i < exchanges.Count; i++)
            {
                var request = exchanges[i]!["request"]!;
                var expected = Expected(version, name, i, exchanges[i]!["response"]!, reference[i]!["response"]!);
                var actual = await SendAsync(host, request);
                replayed++;
                var problem = Compare(expected, actual);
                if (problem is not null)
                {
                    failures.Add($"{version}/{name} exchange {i + 1}: {problem}\n  request : {request["body"]}\n  expected: {expected.Status} {Show(expected.Body)}\n  actual  : {actual.Status} {Show(actual.Body)}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.Equal(50, replayed);
    }

    /// <summary>
    /// What this endpoint must answer. Where the beta.57 server differs from 4.1.0 (numeric ids, unknown tags as a
    /// top-level Defect, 500s for Eof/framing, ", got …" in messages), the endpoint answers like 4.1.0, which both
    /// clients read; two documented deviations replace the reference answer (see docs/endpoints.md).
    /// </summary>
    private static Answer Expected(string version, string name, int index, JsonNode recorded, JsonNode reference)
    {
        if (name == "raw-missing-headers-field")
        {
            // Effect answers a top-level Defect (".for is not iterable"), which breaks a beta.57 client for good;
            // a message without headers is treated as one without a token.
            return new Answer(200, """{"_tag":"Exit","requestId":"801","exit":{"_tag":"Failure","cause":[{"_tag":"Fail","error":{"_tag":"UnauthorizedError","message":"Unauthorized","detail":"Bearer token required"}}]}}""" + "\n", ShapeOnlyRecords: false);
        }

        if (name == "raw-http-method-and-path" && index == 0)
        {
            // ASP.NET Core routing answers a GET on a POST-only route with 405 (Effect: 404); no client sends it.
            return new Answer(405, "", ShapeOnlyRecords: false);
        }

        var answer = new Answer((int)recorded["status"]!, (string)recorded["body"]!, ShapeOnlyRecords: false);
        // Client cases are the same calls in both dialects (ids aside): the beta.57 recording is the reference.
        if (version == Reference || !name.StartsWith("raw-", StringComparison.Ordinal))
        {
            return answer;
        }

        var referenceAnswer = new Answer((int)reference["status"]!, (string)reference["body"]!, ShapeOnlyRecords: true);
        return Compare(referenceAnswer, answer with { ShapeOnlyRecords = true }) is null ? answer : referenceAnswer;
    }

    private static string? Compare(Answer expected, Answer actual)
    {
        if (expected.Status != actual.Status)
        {
            return $"status {actual.Status}, expected {expected.Status}";
        }

        if (actual.Body.Length > 0 && !actual.Body.EndsWith('\n'))
        {
            return "the body does not end with \\n";
        }

        var expectedLines = Lines(expected.Body);
        var actualLines = Lines(actual.Body);
        if (expectedLines.Length != actualLines.Length)
        {
            return $"{actualLines.Length} lines, expected {expectedLines.Length}";
        }

        for (var i = 0; i < expectedLines.Length; i++)
        {
            var shapeOnly = expected.ShapeOnlyRecords || actual.ShapeOnlyRecords;
            var e = Normalize(JsonNode.Parse(expectedLines[i]), shapeOnly);
            var a = Normalize(JsonNode.Parse(actualLines[i]), shapeOnly);
            if (!JsonNode.DeepEquals(e, a))
            {
                return $"line {i + 1} differs:\n    expected {e?.ToJsonString()}\n    actual   {a?.ToJsonString()}";
            }
        }

        return null;
    }

    /// <summary>Replaces time-dependent values and row ids by placeholders, after checking their format.</summary>
    private static JsonNode? Normalize(JsonNode? node, bool shapeOnlyRecords)
    {
        switch (node)
        {
            case JsonObject obj:
                var isRecord = obj.ContainsKey("userId") && obj.ContainsKey("status");
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    result[key] = key switch
                    {
                        "updatedAt" or "lastSeenAt" => value?.GetValueKind() == JsonValueKind.String && IsoUtcMillis().IsMatch((string)value!) ? "<date>" : $"<bad date {value?.ToJsonString()}>",
                        "transactionId" => value?.GetValueKind() == JsonValueKind.Number ? "<number>" : $"<bad number {value?.ToJsonString()}>",
                        "id" when isRecord => value?.GetValueKind() == JsonValueKind.String && Guid.TryParse((string)value!, out _) ? "<uuid>" : $"<bad uuid {value?.ToJsonString()}>",
                        "defect" when value?.GetValueKind() == JsonValueKind.String => WithoutGot((string)value!),
                        _ when isRecord && shapeOnlyRecords && key != "userId" => "<any>",
                        _ => Normalize(value, shapeOnlyRecords),
                    };
                }

                // The text of a JSON parse error is JavaScript's wording; its shape is what matters.
                if (result["name"]?.GetValueKind() == JsonValueKind.String && (string)result["name"]! == "NdjsonDecodeError" && result["cause"] is JsonObject cause)
                {
                    cause["message"] = "<parser message>";
                }

                return result;
            case JsonArray array:
                return new JsonArray(array.Select(item => Normalize(item, shapeOnlyRecords)).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>beta.57's schema messages add ", got &lt;value&gt;" before the path; 4.1.0's do not.</summary>
    private static string WithoutGot(string defect) => GotSuffix().Replace(defect, "");

    private static async Task<Answer> SendAsync(PresenceTestHost host, JsonNode recorded)
    {
        using var request = new HttpRequestMessage(new HttpMethod((string)recorded["method"]!), (string)recorded["path"]!);
        var body = (string)recorded["body"]!;
        string? contentType = null;
        foreach (var header in recorded["headers"]!.AsArray())
        {
            var headerName = (string)header![0]!;
            var headerValue = (string)header[1]!;
            if (headerName == "authorization")
            {
                request.Headers.Authorization = AuthenticationHeaderValue.Parse(headerValue);
            }
            else if (headerName == "content-type")
            {
                contentType = headerValue;
            }
        }

        if (body.Length > 0 || contentType is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (text.Length > 0)
        {
            // The endpoint answers in the dialect of the request's content type; the client ignores it anyway.
            var expectedType = contentType?.StartsWith("application/ndjson", StringComparison.Ordinal) == true ? "application/ndjson" : "application/x-ndjson";
            Assert.Equal(expectedType, response.Content.Headers.ContentType?.MediaType);
        }

        return new Answer((int)response.StatusCode, text, ShapeOnlyRecords: false);
    }

    private static string[] Lines(string body) => body.Length == 0 ? [] : body.TrimEnd('\n').Split('\n');

    private static string Show(string body) => body.Length == 0 ? "(empty)" : body.TrimEnd('\n').Replace("\n", "\n            ", StringComparison.Ordinal);

    internal static string TranscriptDirectory(string version) => Path.Combine(AppContext.BaseDirectory, "Transcripts", version);

    private sealed record Answer(int Status, string Body, bool ShapeOnlyRecords);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex IsoUtcMillis();

    [GeneratedRegex(@", got (.|\n)*?(?=\n  at |$)")]
    private static partial Regex GotSuffix();
}
