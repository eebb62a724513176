namespace Hazel.Presence.AspNetCore.Tests;

/// <summary>One Server-Sent Events block: its comments and fields.</summary>
internal sealed record SseBlock(IReadOnlyList<string> Comments, string? Event, string? Id, string? Data);

/// <summary>Reads an SSE response block by block; every read is bounded by a timeout.</summary>
internal sealed class SseReader(Stream stream) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly StreamReader _reader = new(stream);

    /// <summary>The next block, or null when the stream ended.</summary>
    public async Task<SseBlock?> ReadBlockAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        var comments = new List<string>();
        string? type = null, id = null;
        List<string>? data = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                return comments.Count == 0 && data is null ? null : new SseBlock(comments, type, id, data is null ? null : string.Join("\n", data));
            }

            if (line.Length == 0)
            {
                if (comments.Count == 0 && data is null && type is null && id is null)
                {
                    continue;
                }

                return new SseBlock(comments, type, id, data is null ? null : string.Join("\n", data));
            }

            if (line.StartsWith(':'))
            {
                comments.Add(line[1..].Trim());
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line["id: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                (data ??= []).Add(line["data: ".Length..]);
            }
        }
    }

    /// <summary>The next event, skipping comment blocks.</summary>
    public async Task<SseBlock> ReadEventAsync()
    {
        while (true)
        {
            var block = await ReadBlockAsync() ?? throw new InvalidOperationException("The stream ended before an event arrived.");
            if (block.Data is not null)
            {
                return block;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
