using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PgKit.AspNetCore.Diagnostics;
using PgKit.AspNetCore.Errors;
using PgKit.AspNetCore.Hosting;
using PgKit.AspNetCore.Sessions;

namespace PgKit.AspNetCore.Transactions;

/// <summary>
/// The minimal-API endpoint filter of handlers that take <see cref="Db"/> or <see cref="Atomic"/>, and of atomic
/// endpoints. The request delegate runs the filter pipeline, takes the object it returns, and only then executes
/// (writes) the result; so what this filter does after <c>next</c> returns happens after the handler and before any
/// byte of the response: it completes the request transaction by the result's status (an exception rolls back before
/// it reaches the exception handler; a serialization failure or deadlock can re-run the handler), then returns idle
/// connections to the pool so they are not held while the response is serialized.
/// </summary>
internal sealed class PgEndpointFilter
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly bool _atomic;
    private readonly int _maxRetries;
    private readonly TimeSpan _retryDelay;
    private readonly ILogger _logger;
    private readonly PgKitMetrics? _metrics;

    private PgEndpointFilter(bool atomic, int maxRetries, TimeSpan retryDelay, ILogger logger, PgKitMetrics? metrics)
    {
        _atomic = atomic;
        _maxRetries = maxRetries;
        _retryDelay = retryDelay;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Adds the filter factory once per endpoint. The factory decides when the endpoint is built, with all metadata present.</summary>
    public static void AddTo(EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var item in builder.Metadata)
        {
            if (item is PgEndpointFilterMarker)
            {
                return;
            }
        }

        builder.Metadata.Add(PgEndpointFilterMarker.Instance);
        builder.FilterFactories.Add((context, next) => Create(builder, context, next));
    }

    private static EndpointFilterDelegate Create(EndpointBuilder builder, EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        // MVC wraps its whole invoker (result execution included) in endpoint filters; the MVC result filter acts there.
        if (builder.Metadata.Any(static item => item is ActionDescriptor))
        {
            return next;
        }

        var settings = builder.Metadata.OfType<IAtomicMetadata>().Select(static item => item.Settings).ToList();
        var parameters = context.MethodInfo.GetParameters();
        var takesAtomic = parameters.Any(static parameter => parameter.ParameterType == typeof(Atomic));
        var takesDb = takesAtomic || parameters.Any(static parameter => parameter.ParameterType == typeof(Db));
        if (settings.Count == 0 && !takesDb)
        {
            // Returning next unchanged keeps the endpoint free of any filter pipeline.
            return next;
        }

        if (context.ApplicationServices.GetService<PostgresDatabases>() is null)
        {
            throw new InvalidOperationException(
                "PgKit's Db, Atomic and WithAtomic need the PostgreSQL services: call builder.Services.AddPostgres(...) before building the app.");
        }

        var retrySettings = settings.Count == 0 ? null : settings.MaxBy(static item => item.MaxRetries);
        var logger = context.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger("PgKit.AspNetCore") ?? NullLogger.Instance;
        var filter = new PgEndpointFilter(
            settings.Count > 0 || takesAtomic,
            retrySettings?.MaxRetries ?? 0,
            retrySettings?.RetryDelay ?? AtomicSettings.DefaultRetryDelay,
            logger,
            context.ApplicationServices.GetService<PgKitMetrics>());
        Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> atomic = filter.InvokeAtomicAsync;
        return filter._atomic
            ? invocation => PgKitTracing.TraceAtomicAsync(invocation, next, atomic)
            : invocation => InvokeAsync(invocation, next);
    }

    // Pooled state machines: a request's filter frame, suspended while the handler awaits the database, reuses a pooled
    // box when one is free (the pool is small: with dozens of requests in flight most frames are still allocated).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var scope = Enter(invocation.HttpContext);
        object? result;
        try
        {
            result = await next(invocation).ConfigureAwait(false);
        }
        catch
        {
            // The connection goes back to the pool before the error response is written, as after a success.
            await scope.ReleaseIdleAsync().ConfigureAwait(false);
            throw;
        }

        await scope.ReleaseIdleAsync().ConfigureAwait(false);
        return result;
    }

    /// <summary>Tells the request's sessions which request they serve, before the handler first uses one.</summary>
    internal static PgRequestScope Enter(HttpContext httpContext)
    {
        var scope = httpContext.RequestServices.GetRequiredService<PgRequestScope>();
        scope.HttpContext = httpContext;
        return scope;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<object?> InvokeAtomicAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var httpContext = invocation.HttpContext;
        var scope = Enter(httpContext);
        for (var attempt = 0; ; attempt++)
        {
            object? result;
            try
            {
                result = await next(invocation).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                if (await TryPrepareRetryAsync(ex, attempt, httpContext, scope).ConfigureAwait(false))
                {
                    continue;
                }

                // Roll back now, so locks are gone and the connection is back in the pool before the error response is written.
                await scope.CompleteAsync(commit: false).ConfigureAwait(false);
                await scope.ReleaseIdleAsync().ConfigureAwait(false);
                throw;
            }

            if (scope.HasActiveAtomicTransaction)
            {
                // A handler that wrote the response itself had its transaction completed by OnStarting before the first
                // byte; one still active here began after the response started, and can only follow the response's status.
                var status = httpContext.Response.HasStarted ? httpContext.Response.StatusCode : ResultStatus.Of(result, httpContext);
                var commit = status < 400 && !httpContext.RequestAborted.IsCancellationRequested;
                try
                {
                    await scope.CompleteAsync(commit).ConfigureAwait(false);
                }
                catch (Exception ex) when (attempt < _maxRetries && PgError.IsRetryable(ex))
                {
                    if (await TryPrepareRetryAsync(ex, attempt, httpContext, scope).ConfigureAwait(false))
                    {
                        continue;
                    }

                    throw;
                }
            }

            await scope.ReleaseIdleAsync().ConfigureAwait(false);
            return result;
        }
    }

    private async Task<bool> TryPrepareRetryAsync(Exception exception, int attempt, HttpContext httpContext, PgRequestScope scope)
    {
        if (attempt >= _maxRetries
            || !PgError.IsRetryable(exception)
            || httpContext.RequestAborted.IsCancellationRequested
            || httpContext.Response.HasStarted)
        {
            return false;
        }

        await scope.ResetForRetryAsync().ConfigureAwait(false);
        var delay = ComputeDelay(attempt);
        _metrics?.Retried();
        Log.RetryingTransaction(_logger, PgError.SqlStateOf(exception), attempt + 1, _maxRetries, (long)delay.TotalMilliseconds);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, httpContext.RequestAborted).ConfigureAwait(false);
        }

        return true;
    }

    private TimeSpan ComputeDelay(int attempt)
    {
        // Exponential backoff with ±50 % jitter, so that transactions that collided do not collide again in lockstep.
        var exponential = _retryDelay.TotalMilliseconds * Math.Pow(2, attempt);
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        var jittered = exponential * (0.5 + Random.Shared.NextDouble());
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxRetryDelay.TotalMilliseconds));
    }
}
