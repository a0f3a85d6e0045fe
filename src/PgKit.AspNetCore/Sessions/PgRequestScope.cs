using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Http;
using PgKit.AspNetCore.Hosting;

namespace PgKit.AspNetCore.Sessions;

/// <summary>
/// The request's sessions, one per database (a scoped service that creates, holds and disposes them), so that the
/// endpoint filter and the MVC result filter can complete request transactions and return idle connections before
/// the result is written.
/// </summary>
/// <remarks>
/// The scope, not the container, owns the sessions: a request then costs one scoped resolution and one disposal
/// registration, whatever the number of <see cref="Db"/> and <see cref="Atomic"/> parameters its handler takes.
/// </remarks>
internal sealed class PgRequestScope(PostgresDatabases databases, IServiceProvider services) : IAsyncDisposable, IDisposable
{
    private PgRequestSession? _first;
    private List<PgRequestSession>? _others;
    private bool _disposed;

    /// <summary>
    /// Gets or sets the request this scope belongs to, set by PgKit's endpoint filter and MVC filter before the handler
    /// runs: no IHttpContextAccessor, whose AsyncLocal and lost HttpContext pooling would cost every request of the app.
    /// Null in a scope created by hand (a background unit of work), which is then not the request's connection.
    /// </summary>
    public HttpContext? HttpContext { get; set; }

    /// <summary>Gets the session of database <paramref name="name"/>, created on first use in this scope.</summary>
    public PgRequestSession GetSession(string name)
    {
        var first = Volatile.Read(ref _first);
        return first is not null && string.Equals(first.Name, name, StringComparison.Ordinal) ? first : GetOrAddSession(name);
    }

    private PgRequestSession GetOrAddSession(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // A session holds nothing until it opens a connection, so a racing creation can simply be dropped.
        if (Volatile.Read(ref _first) is null)
        {
            var created = CreateSession(name);
            var winner = Interlocked.CompareExchange(ref _first, created, null);
            if (winner is null || string.Equals(winner.Name, name, StringComparison.Ordinal))
            {
                return winner ?? created;
            }
        }

        var others = LazyInitializer.EnsureInitialized(ref _others);
        lock (others)
        {
            foreach (var session in others)
            {
                if (string.Equals(session.Name, name, StringComparison.Ordinal))
                {
                    return session;
                }
            }

            var added = CreateSession(name);
            others.Add(added);
            return added;
        }
    }

    private PgRequestSession CreateSession(string name)
    {
        var database = databases.Get(name);

        // The request normally comes from PgKit's filters (HttpContext above); an app that registered
        // IHttpContextAccessor itself also gets request-bound sessions in services used outside endpoints (middleware).
        var httpContext = database.HttpContextAccessor?.HttpContext;
        if (httpContext is not null && !ReferenceEquals(httpContext.RequestServices, services))
        {
            // A scope created by hand during a request (a background unit of work) is not the request's connection.
            httpContext = null;
        }

        return new PgRequestSession(database, this, httpContext);
    }

    public bool HasActiveAtomicTransaction
    {
        get
        {
            if (_first?.HasActiveAtomicTransaction == true)
            {
                return true;
            }

            return _others?.Exists(static session => session.HasActiveAtomicTransaction) == true;
        }
    }

    /// <summary>
    /// Commits (or rolls back) every active request transaction. When a commit fails, the remaining ones are rolled
    /// back and the first failure is rethrown. Databases are committed one after the other, not with two-phase commit.
    /// </summary>
    public async Task CompleteAsync(bool commit)
    {
        if (_first is null)
        {
            return;
        }

        ExceptionDispatchInfo? failure = null;
        foreach (var session in Sessions())
        {
            try
            {
                await session.CompleteAtomicAsync(commit && failure is null).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure ??= ExceptionDispatchInfo.Capture(ex);
            }
        }

        failure?.Throw();
    }

    /// <summary>Returns the connections that are not in a transaction to the pool (the handler or action has returned).</summary>
    public Task ReleaseIdleAsync()
    {
        if (_others is null)
        {
            return _first?.ReleaseIfIdleAsync() ?? Task.CompletedTask;
        }

        return ReleaseAllIdleAsync();
    }

    private async Task ReleaseAllIdleAsync()
    {
        foreach (var session in Sessions())
        {
            await session.ReleaseIfIdleAsync().ConfigureAwait(false);
        }
    }

    public async Task ResetForRetryAsync()
    {
        foreach (var session in Sessions())
        {
            await session.ResetForRetryAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Rolls back what is still open and returns the connections: the request (or unit of work) has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ExceptionDispatchInfo? failure = null;
        foreach (var session in Sessions())
        {
            try
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure ??= ExceptionDispatchInfo.Capture(ex);
            }
        }

        failure?.Throw();
    }

    /// <summary>As <see cref="DisposeAsync"/>, for a scope disposed synchronously.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        List<Exception>? failures = null;
        foreach (var session in Sessions())
        {
            try
            {
                session.Dispose();
            }
            catch (Exception ex)
            {
                (failures ??= []).Add(ex);
            }
        }

        if (failures is not null)
        {
            throw failures.Count == 1 ? failures[0] : new AggregateException(failures);
        }
    }

    // A struct list and enumerator: iterating the sessions at the end of every request allocates nothing.
    private SessionList Sessions() => new(_first, _others);

    private readonly struct SessionList(PgRequestSession? first, List<PgRequestSession>? others)
    {
        public Enumerator GetEnumerator() => new(first, others);

        public struct Enumerator(PgRequestSession? first, List<PgRequestSession>? others)
        {
            private int _index = -1;

            public PgRequestSession Current { get; private set; } = null!;

            public bool MoveNext()
            {
                _index++;
                if (_index == 0)
                {
                    if (first is not null)
                    {
                        Current = first;
                        return true;
                    }

                    _index++;
                }

                var other = _index - 1;
                if (others is not null && other < others.Count)
                {
                    Current = others[other];
                    return true;
                }

                return false;
            }
        }
    }
}
