using System.Security.Cryptography;
using System.Text;

namespace Hazel.Presence.SampleHost.Auth;

/// <summary>Stable user ids for sign-in names.</summary>
internal static class UserIds
{
    // The namespace of the sample's name-based ids; any fixed value works, it only has to never change.
    private static readonly Guid Namespace = new("5b0f3c57-3f0e-4c52-9a8e-6a1d2f1c7e21");

    /// <summary>
    /// A name-based UUID (RFC 9562 version 5) of the case-folded user name: the same name always gets the
    /// same id, so a user keeps their presence record across sign-ins and the Effect RPC client sees UUIDs.
    /// </summary>
    public static Guid For(string userName)
    {
        var name = Encoding.UTF8.GetBytes(userName.Normalize(NormalizationForm.FormKC).ToUpperInvariant());
        var input = new byte[16 + name.Length];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input, 16);

#pragma warning disable CA5350 // Version 5 UUIDs are defined on SHA-1; this is an identifier, not a security use.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
