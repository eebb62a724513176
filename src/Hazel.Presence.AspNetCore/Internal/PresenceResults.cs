using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Hazel.Presence.AspNetCore.Internal;

/// <summary>Results written with <see cref="PresenceJsonContext"/>, independent of the host's JSON options.</summary>
internal static class PresenceResults
{
    public static IResult Json<T>(T value, JsonTypeInfo<T> typeInfo) => new JsonResult<T>(value, typeInfo, StatusCodes.Status200OK, "application/json");

    public static IResult ValidationProblem(IReadOnlyDictionary<string, string[]> errors)
    {
        var problem = new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more validation errors occurred.",
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        };
        return new JsonResult<HttpValidationProblemDetails>(problem, PresenceJsonContext.Default.HttpValidationProblemDetails, problem.Status.Value, "application/problem+json", addTraceId: true);
    }

    public static IResult ValidationProblem(string field, string error) =>
        ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [error] });

    public static IResult Problem(int statusCode, string title, string type, string? detail = null)
    {
        var problem = new ProblemDetails { Status = statusCode, Title = title, Type = type, Detail = detail };
        return new JsonResult<ProblemDetails>(problem, PresenceJsonContext.Default.ProblemDetails, statusCode, "application/problem+json", addTraceId: true);
    }

    public static IResult Unauthorized(string detail) =>
        Problem(StatusCodes.Status401Unauthorized, "Unauthorized", "https://tools.ietf.org/html/rfc9110#section-15.5.2", detail);

    public static IResult ServerError() =>
        Problem(StatusCodes.Status500InternalServerError, "An error occurred while processing your request.", "https://tools.ietf.org/html/rfc9110#section-15.6.1");

    public static IResult TooLarge(int limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "The request body is too large.", "https://tools.ietf.org/html/rfc9110#section-15.5.14", $"The body must be at most {limit} bytes.");

    public static string TraceId(HttpContext context) => Activity.Current?.Id ?? context.TraceIdentifier;

    private sealed class JsonResult<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode, string contentType, bool addTraceId = false) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (addTraceId && value is ProblemDetails problem)
            {
                problem.Extensions["traceId"] = TraceId(httpContext);
            }

            httpContext.Response.StatusCode = statusCode;
            return httpContext.Response.WriteAsJsonAsync(value, typeInfo, contentType, httpContext.RequestAborted);
        }
    }
}
