using System.Text.Json;

namespace Hazel.Presence.SampleHost.Auth;

/// <summary>
/// The names of users who signed in, so the page can show "alice" instead of a UUID. Kept in a small JSON
/// file in the data folder; a real app has its own user directory.
/// </summary>
internal sealed class UserDirectory
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private Dictionary<string, string> _names;

    public UserDirectory(string path)
    {
        _path = path;
        _names = File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? []
            : [];
    }

    public IReadOnlyDictionary<string, string> Snapshot()
    {
        lock (_lock)
        {
            return _names;
        }
    }

    public void Remember(string userId, string userName)
    {
        lock (_lock)
        {
            if (_names.TryGetValue(userId, out var known) && known == userName)
            {
                return;
            }

            // Copy on write: readers keep the snapshot they were given.
            _names = new Dictionary<string, string>(_names) { [userId] = userName };
            File.WriteAllText(_path, JsonSerializer.Serialize(_names));
        }
    }
}
