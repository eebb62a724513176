using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Hazel.Presence.SampleHost.Auth;

/// <summary>
/// The key that signs and validates the sample's tokens: <c>Auth:SigningKey</c> (base64, at least 32 bytes)
/// when configured, otherwise a random key generated once per machine into the data folder.
/// </summary>
internal static class SigningKeys
{
    internal const string FileName = "signing-key";
    private const int KeyBytes = 32;

    public static SymmetricSecurityKey Load(IConfiguration configuration, string dataDirectory)
    {
        if (configuration["Auth:SigningKey"] is { Length: > 0 } configured)
        {
            return new SymmetricSecurityKey(Decode(configured, "Auth:SigningKey"));
        }

        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            TryCreate(path);
        }

        return new SymmetricSecurityKey(Decode(File.ReadAllText(path).Trim(), path));
    }

    private static void TryCreate(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Only the account that runs the host may read the key.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another host process created it first; use theirs.
        }
    }

    private static byte[] Decode(string base64, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException(
                $"The signing key in {source} is not base64; generate one with `openssl rand -base64 32`.");
        }

        if (key.Length < KeyBytes)
        {
            throw new InvalidOperationException(
                $"The signing key in {source} has {key.Length} bytes; HMAC-SHA256 needs at least {KeyBytes} (`openssl rand -base64 32`).");
        }

        return key;
    }
}
