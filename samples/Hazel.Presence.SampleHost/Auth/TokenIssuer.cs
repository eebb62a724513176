using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hazel.Presence.SampleHost.Auth;

/// <summary>Issues the sample's short-lived bearer tokens and describes how they are validated.</summary>
internal sealed class TokenIssuer(SymmetricSecurityKey signingKey, IConfiguration configuration)
{
    public const string Issuer = "Hazel.Presence.SampleHost";
    public const string Audience = "Hazel.Presence.SampleHost";

    private readonly SigningCredentials _credentials = new(signingKey, SecurityAlgorithms.HmacSha256);
    private readonly TimeSpan _lifetime = configuration.GetValue("Auth:TokenLifetime", TimeSpan.FromHours(8));
    private readonly JsonWebTokenHandler _handler = new();

    public static TokenValidationParameters ValidationParameters(SecurityKey signingKey) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = signingKey,
        NameClaimType = JwtRegisteredClaimNames.Name,
        // Tokens live hours; a short skew makes an expired token fail promptly, which the page explains.
        ClockSkew = TimeSpan.FromSeconds(5),
    };

    public (string Token, DateTimeOffset ExpiresAt) Issue(string userId, string userName, DateTimeOffset now)
    {
        var expiresAt = now + _lifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, userId),
                new Claim(JwtRegisteredClaimNames.Name, userName),
            ]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            SigningCredentials = _credentials,
        });
        return (token, expiresAt);
    }
}
