using Microsoft.AspNetCore.Http.HttpResults;

namespace Hazel.Presence.SampleHost.Auth;

/// <summary>
/// Development-only sign-in: anyone can become any user name. Mapped only in the Development environment;
/// a real app signs users in with its own identity provider and keeps the JWT bearer validation.
/// </summary>
internal static class SignInEndpoints
{
    private const int MaxUserNameLength = 64;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth").WithTags("Sample sign-in (Development only)");
        group.MapPost("/sign-in", SignIn).AllowAnonymous();
        group.MapGet("/users", (UserDirectory users) => TypedResults.Ok(users.Snapshot()
            .Select(u => new KnownUser(u.Key, u.Value))
            .OrderBy(u => u.UserName, StringComparer.OrdinalIgnoreCase)
            .ToArray())).RequireAuthorization();
    }

    private static Results<Ok<SignInResponse>, ValidationProblem> SignIn(
        SignInRequest request,
        TokenIssuer issuer,
        UserDirectory users,
        TimeProvider time)
    {
        var userName = request.UserName?.Trim();
        var error = userName switch
        {
            null or "" => "Enter a user name.",
            { Length: > MaxUserNameLength } => $"A user name has at most {MaxUserNameLength} characters.",
            _ when userName.Any(char.IsControl) => "A user name cannot contain control characters.",
            _ => null,
        };
        if (error is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userName"] = [error] });
        }

        var userId = UserIds.For(userName!).ToString();
        users.Remember(userId, userName!);
        var (token, expiresAt) = issuer.Issue(userId, userName!, time.GetUtcNow());
        return TypedResults.Ok(new SignInResponse(token, "Bearer", expiresAt, userId, userName!));
    }
}

/// <summary>The sign-in request.</summary>
/// <param name="UserName">Any name of 1 to 64 characters; the same name always gets the same user id.</param>
public sealed record SignInRequest(string? UserName);

/// <summary>A bearer token for the signed-in user.</summary>
public sealed record SignInResponse(string AccessToken, string TokenType, DateTimeOffset ExpiresAt, string UserId, string UserName);

/// <summary>A user who has signed in on this host.</summary>
public sealed record KnownUser(string UserId, string UserName);
