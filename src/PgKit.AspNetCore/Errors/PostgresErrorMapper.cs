using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PgKit.AspNetCore.Errors;

/// <summary>
/// The built-in mapping from exceptions to ProblemDetails. Production bodies carry only PgKit's own wording plus the
/// SQLSTATE and the names of the constraint, column and table: never the server's message or detail (a unique
/// violation's detail holds the row's values), never SQL text, never a stack trace.
/// </summary>
/// <remarks>
/// Extension keys follow the app's JSON naming policy (<c>sqlState</c> by default, <c>sql_state</c> under snake_case),
/// like the <c>traceId</c> ASP.NET Core adds, so one body never mixes two conventions.
/// </remarks>
internal sealed class PostgresErrorMapper(
    IOptions<PostgresProblemDetailsOptions> options, IHostEnvironment environment, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>? jsonOptions = null)
{
    private readonly JsonNamingPolicy? _naming = jsonOptions?.Value.SerializerOptions.PropertyNamingPolicy;

    public MappedError? Map(HttpContext httpContext, Exception exception)
    {
        var settings = options.Value;
        if (settings.MapException?.Invoke(httpContext, exception) is { } custom)
        {
            custom.Status ??= StatusCodes.Status500InternalServerError;
            return new MappedError(custom, null, PgError.SqlStateOf(exception), null);
        }

        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return null;
        }

        var details = settings.IncludeErrorDetails ?? environment.IsDevelopment();
        var retryAfter = settings.RetryAfter;

        if (exception is NotFoundException notFound)
        {
            return new MappedError(Problem(StatusCodes.Status404NotFound, notFound.Message, exception, details), null, null, null);
        }

        if (exception is PoolExhaustedException)
        {
            return new MappedError(
                Problem(StatusCodes.Status503ServiceUnavailable, "The database is busy: no connection became free in time. Retry later.", exception, details),
                retryAfter, null, null);
        }

        if (PgError.TryGet(exception, out var error))
        {
            return MapSqlState(error, exception, details, retryAfter);
        }

        if (PgError.FindConnectionFailure(exception) is not null)
        {
            return new MappedError(
                Problem(StatusCodes.Status503ServiceUnavailable, "The database cannot be reached. Retry later.", exception, details),
                retryAfter, null, null);
        }

        return null;
    }

    private MappedError MapSqlState(PostgresException error, Exception exception, bool details, TimeSpan retryAfter)
    {
        var state = error.SqlState;
        var constraint = error.ConstraintName;
        int status;
        string detail;
        TimeSpan? retry = null;
        var retryable = false;

        // The errors applications handle are recognized by PgErrors' matchers, the ones users write in their own
        // exception filters, so the two cannot disagree; the rest go by SQLSTATE and its class.
        if (error.IsUniqueViolation())
        {
            status = StatusCodes.Status409Conflict;
            detail = "The request conflicts with an existing row" + Named("unique constraint", constraint);
        }
        else if (error.IsForeignKeyViolation())
        {
            status = StatusCodes.Status409Conflict;
            detail = "The request refers to a row that does not exist, or removes a row that is still referred to" +
                Named("foreign key constraint", constraint);
        }
        else if (error.IsNotNullViolation())
        {
            status = StatusCodes.Status422UnprocessableEntity;
            detail = "A required value is missing" + Named("column", error.ColumnName);
        }
        else if (error.IsCheckViolation())
        {
            status = StatusCodes.Status422UnprocessableEntity;
            detail = "A value is not allowed" + Named("check constraint", constraint);
        }
        else if (error.IsTransactionConflict())
        {
            status = StatusCodes.Status409Conflict;
            detail = error.IsDeadlock()
                ? "The request conflicted with a concurrent request (deadlock). Retry it."
                : "The request conflicted with a concurrent request (serialization failure). Retry it.";
            retry = retryAfter;
            retryable = true;
        }
        else
        {
            (status, detail, retry) = MapOther(state, constraint, retryAfter);
        }

        var problem = Problem(status, detail, exception, details);
        problem.Extensions[Key("sqlState")] = state;
        AddIfPresent(problem, "constraint", constraint);
        AddIfPresent(problem, "column", error.ColumnName);
        AddIfPresent(problem, "table", error.TableName);
        if (retryable)
        {
            problem.Extensions[Key("retryable")] = true;
        }

        if (details)
        {
            problem.Extensions[Key("databaseMessage")] = error.MessageText;
            AddIfPresent(problem, "databaseDetail", error.Detail);
            AddIfPresent(problem, "hint", error.Hint);
            AddIfPresent(problem, "where", error.Where);
            AddIfPresent(problem, "statement", error.BatchCommand?.CommandText);
        }

        return new MappedError(problem, retry, state, constraint);
    }

    private static (int Status, string Detail, TimeSpan? RetryAfter) MapOther(string state, string? constraint, TimeSpan retryAfter)
    {
        int status;
        string detail;
        TimeSpan? retry = null;
        switch (state)
        {
            case PostgresErrorCodes.ExclusionViolation:
                status = StatusCodes.Status409Conflict;
                detail = "The request conflicts with an existing row" + Named("exclusion constraint", constraint);
                break;
            case PostgresErrorCodes.InvalidTextRepresentation:
                status = StatusCodes.Status422UnprocessableEntity;
                detail = "A value has an invalid format.";
                break;
            case PostgresErrorCodes.QueryCanceled:
                status = StatusCodes.Status503ServiceUnavailable;
                detail = "The database query was cancelled or took longer than the statement timeout. Retry later.";
                retry = retryAfter;
                break;
            case PostgresErrorCodes.TooManyConnections:
            case PostgresErrorCodes.AdminShutdown:
            case PostgresErrorCodes.CrashShutdown:
            case PostgresErrorCodes.CannotConnectNow:
                status = StatusCodes.Status503ServiceUnavailable;
                detail = "The database is unavailable or overloaded. Retry later.";
                retry = retryAfter;
                break;
            default:
                if (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal))
                {
                    // Class 08: connection exception; class 53: insufficient resources.
                    status = StatusCodes.Status503ServiceUnavailable;
                    detail = "The database is unavailable or overloaded. Retry later.";
                    retry = retryAfter;
                }
                else if (state.StartsWith("22", StringComparison.Ordinal))
                {
                    // Class 22: data exception (value out of range, too long, bad date...): the request's data is at fault.
                    status = StatusCodes.Status422UnprocessableEntity;
                    detail = "A value is out of range or has an invalid format.";
                }
                else
                {
                    status = StatusCodes.Status500InternalServerError;
                    detail = "A database error occurred.";
                }

                break;
        }

        return (status, detail, retry);
    }

    private ProblemDetails Problem(int status, string detail, Exception exception, bool details)
    {
        var problem = new ProblemDetails { Status = status, Detail = detail };
        if (details)
        {
            problem.Extensions[Key("exception")] = exception.ToString();
        }

        return problem;
    }

    private static string Named(string what, string? name) => name is null ? "." : $" ({what} \"{name}\").";

    private void AddIfPresent(ProblemDetails problem, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            problem.Extensions[Key(key)] = value;
        }
    }

    private string Key(string name) => _naming?.ConvertName(name) ?? name;
}
